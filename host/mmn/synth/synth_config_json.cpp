#include <limits>
#include <string>
#include <type_traits>

#include <fmt/format.h>

#include "mmn/synth/synth_config.h"
#include "mmn/util/error.h"

namespace mmn::synth {
namespace {

using nlohmann::json;

template <typename T>
void read(const json& j, const char* key, T& out, const std::string& where) {
  const auto it = j.find(key);
  if (it == j.end()) return;
  if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) fail("{}: '{}' must be true or false, not {}", where, key, it->dump());
    out = it->template get<bool>();
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!it->is_string()) fail("{}: '{}' must be a string, not {}", where, key, it->dump());
    out = it->template get<std::string>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!it->is_number_unsigned())
      fail("{}: '{}' must be a whole number of at least 0, not {}", where, key, it->dump());
    const auto v = it->template get<std::uint64_t>();
    if (v > std::numeric_limits<T>::max())
      fail("{}: '{}' is {}; at most {}", where, key, v, std::numeric_limits<T>::max());
    out = static_cast<T>(v);
  } else {
    if (!it->is_number()) fail("{}: '{}' must be a number, not {}", where, key, it->dump());
    out = it->template get<double>();
  }
}

std::vector<SynthField> read_fields(const json& list, const std::string& where) {
  if (!list.is_array()) fail("{}: 'categorical' must be a list of fields, not {}", where, list.dump());
  std::vector<SynthField> fields;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& f = list[i];
    const std::string at = fmt::format("{}: categorical field {}", where, i);
    if (!f.is_object()) fail("{} must be an object with name and vocab, not {}", at, f.dump());
    for (const auto& [key, value] : f.items())
      if (key != "name" && key != "vocab" && key != "zipf_exponent" && key != "scenario_shift")
        fail("{}: unknown key '{}' (known: name, vocab, zipf_exponent, scenario_shift)", at, key);
    if (!f.contains("name") || !f.contains("vocab")) fail("{} needs 'name' and 'vocab'", at);
    SynthField field;
    read(f, "name", field.name, at);
    read(f, "vocab", field.vocab, at);
    read(f, "zipf_exponent", field.zipf_exponent, at);
    read(f, "scenario_shift", field.scenario_shift, at);
    fields.push_back(field);
  }
  return fields;
}

}  // namespace

SynthConfig SynthConfig::from_json(const json& j, const SynthConfig& base) {
  const std::string where = fmt::format("synth config '{}'", base.name);
  if (!j.is_object()) fail("{}: expected an object, not {}", where, j.dump());
  const json known = base.to_json();
  for (const auto& [key, value] : j.items())
    if (!known.contains(key)) fail("{}: unknown key '{}'", where, key);
  SynthConfig c = base;
  read(j, "name", c.name, where);
  read(j, "n_types", c.n_types, where);
  read(j, "n_scenarios", c.n_scenarios, where);
  if (j.contains("categorical")) c.categorical = read_fields(j["categorical"], where);
  read(j, "n_dense", c.n_dense, where);
  read(j, "default_rows", c.default_rows, where);
  read(j, "domain_zipf_exponent", c.domain_zipf_exponent, where);
  read(j, "absent_fraction", c.absent_fraction, where);
  read(j, "test_fraction", c.test_fraction, where);
  read(j, "mean_ctr", c.mean_ctr, where);
  read(j, "min_type_cvr", c.min_type_cvr, where);
  read(j, "max_type_cvr", c.max_type_cvr, where);
  read(j, "dense_share", c.dense_share, where);
  read(j, "learnable_vocab", c.learnable_vocab, where);
  read(j, "dense_scenario_shift", c.dense_scenario_shift, where);
  read(j, "ctr_scenario_bias", c.ctr_scenario_bias, where);
  read(j, "ctr_shared_effect", c.ctr_shared_effect, where);
  read(j, "ctr_scenario_effect", c.ctr_scenario_effect, where);
  read(j, "cvr_scenario_bias", c.cvr_scenario_bias, where);
  read(j, "cvr_shared_effect", c.cvr_shared_effect, where);
  read(j, "cvr_type_effect", c.cvr_type_effect, where);
  read(j, "cvr_scenario_effect", c.cvr_scenario_effect, where);
  read(j, "cvr_nonlinear_effect", c.cvr_nonlinear_effect, where);
  read(j, "rows_per_shard", c.rows_per_shard, where);
  read(j, "calibration_rows", c.calibration_rows, where);
  c.validate();
  return c;
}

SynthConfig with_overrides(const SynthConfig& base, const std::vector<std::string>& overrides) {
  json patch = json::object();
  for (const std::string& o : overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) fail("--set '{}': expected key=value", o);
    const std::string key = o.substr(0, eq);
    const std::string text = o.substr(eq + 1);
    json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) value = text;
    patch[key] = value;
  }
  try {
    return SynthConfig::from_json(patch, base);
  } catch (const Error& e) {
    fail("mmn synth --set: {}", e.what());
  }
}

}  // namespace mmn::synth
