#include <limits>
#include <string>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "mmn/synth/synth_config.h"
#include "mmn/util/error.h"

namespace mmn::synth {
namespace {

using nlohmann::json;

// The settings with one value each, by key: the JSON form reads and writes these alike.
constexpr std::pair<const char*, std::uint32_t SynthConfig::*> kCounts[] = {
    {"n_types", &SynthConfig::n_types},     {"n_scenarios", &SynthConfig::n_scenarios},
    {"n_dense", &SynthConfig::n_dense},     {"calibration_rows", &SynthConfig::calibration_rows}};
constexpr std::pair<const char*, std::uint64_t SynthConfig::*> kSizes[] = {
    {"default_rows", &SynthConfig::default_rows}, {"rows_per_shard", &SynthConfig::rows_per_shard}};
constexpr std::pair<const char*, double SynthConfig::*> kRates[] = {
    {"domain_zipf_exponent", &SynthConfig::domain_zipf_exponent},
    {"absent_fraction", &SynthConfig::absent_fraction},
    {"test_fraction", &SynthConfig::test_fraction},
    {"mean_ctr", &SynthConfig::mean_ctr},
    {"min_type_cvr", &SynthConfig::min_type_cvr},
    {"max_type_cvr", &SynthConfig::max_type_cvr},
    {"dense_share", &SynthConfig::dense_share},
    {"learnable_vocab", &SynthConfig::learnable_vocab},
    {"dense_scenario_shift", &SynthConfig::dense_scenario_shift},
    {"ctr_scenario_bias", &SynthConfig::ctr_scenario_bias},
    {"ctr_shared_effect", &SynthConfig::ctr_shared_effect},
    {"ctr_scenario_effect", &SynthConfig::ctr_scenario_effect},
    {"cvr_scenario_bias", &SynthConfig::cvr_scenario_bias},
    {"cvr_shared_effect", &SynthConfig::cvr_shared_effect},
    {"cvr_type_effect", &SynthConfig::cvr_type_effect},
    {"cvr_scenario_effect", &SynthConfig::cvr_scenario_effect},
    {"cvr_nonlinear_effect", &SynthConfig::cvr_nonlinear_effect}};

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

json SynthConfig::to_json() const {
  json fields = json::array();
  for (const auto& f : categorical)
    fields.push_back({{"name", f.name}, {"vocab", f.vocab}, {"zipf_exponent", f.zipf_exponent},
                      {"scenario_shift", f.scenario_shift}});
  json j = {{"name", name}, {"categorical", fields}};
  for (const auto& [key, member] : kCounts) j[key] = this->*member;
  for (const auto& [key, member] : kSizes) j[key] = this->*member;
  for (const auto& [key, member] : kRates) j[key] = this->*member;
  return j;
}

SynthConfig SynthConfig::from_json(const json& j, const SynthConfig& base) {
  const std::string where = fmt::format("synth config '{}'", base.name);
  if (!j.is_object()) fail("{}: expected an object, not {}", where, j.dump());
  const json known = base.to_json();
  for (const auto& [key, value] : j.items())
    if (!known.contains(key)) fail("{}: unknown key '{}'", where, key);
  SynthConfig c = base;
  read(j, "name", c.name, where);
  if (j.contains("categorical")) c.categorical = read_fields(j["categorical"], where);
  for (const auto& [key, member] : kCounts) read(j, key, c.*member, where);
  for (const auto& [key, member] : kSizes) read(j, key, c.*member, where);
  for (const auto& [key, member] : kRates) read(j, key, c.*member, where);
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
