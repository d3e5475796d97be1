#include "mmn/synth/synth_config.h"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "mmn/util/det_math.h"
#include "mmn/util/error.h"

namespace mmn::synth {
namespace {

// Largest vocabulary of one field: its latent table takes 32 bytes per value.
constexpr std::uint32_t kMaxVocab = 1u << 26;
constexpr std::uint32_t kMaxDomainsPerAxis = 4096;

}  // namespace

std::string type_name(std::uint32_t t) { return fmt::format("type{:02d}", t); }
std::string scenario_name(std::uint32_t s) { return fmt::format("scen{:02d}", s); }

void SynthConfig::validate() const {
  const std::string where = fmt::format("synth config '{}'", name);
  if (n_types < 1 || n_types > kMaxDomainsPerAxis)
    fail("{}: {} types; need 1 to {}", where, n_types, kMaxDomainsPerAxis);
  if (n_scenarios < 1 || n_scenarios > kMaxDomainsPerAxis)
    fail("{}: {} scenarios; need 1 to {}", where, n_scenarios, kMaxDomainsPerAxis);
  if (n_dense > 1024) fail("{}: {} dense fields; at most 1024", where, n_dense);
  if (categorical.empty() && n_dense == 0) fail("{}: no categorical and no dense fields", where);
  std::set<std::string> names;
  for (const auto& f : categorical) {
    if (f.name.empty()) fail("{}: a categorical field has no name", where);
    if (!names.insert(f.name).second) fail("{}: categorical field '{}' appears twice", where, f.name);
    if (f.vocab < 1 || f.vocab > kMaxVocab)
      fail("{}: field '{}' has vocabulary {}; need 1 to {}", where, f.name, f.vocab, kMaxVocab);
    if (!(f.zipf_exponent >= 0.0 && f.zipf_exponent <= 4.0))
      fail("{}: field '{}' has Zipf exponent {}; need 0 to 4", where, f.name, f.zipf_exponent);
  }
  auto in = [&](const char* what, double v, double lo, double hi) {
    if (!(v >= lo && v <= hi)) fail("{}: {} is {}; need {} to {}", where, what, v, lo, hi);
  };
  in("domain_zipf_exponent", domain_zipf_exponent, 0.0, 4.0);
  in("absent_fraction", absent_fraction, 0.0, 0.9);
  in("test_fraction", test_fraction, 0.0, 0.9);
  in("mean_ctr", mean_ctr, 1e-4, 0.9);
  in("min_type_cvr", min_type_cvr, 1e-5, 0.9);
  in("max_type_cvr", max_type_cvr, min_type_cvr, 0.9);
  in("dense_share", dense_share, 0.0, 0.95);  // ignored without dense fields; 1 without categorical ones
  in("learnable_vocab", learnable_vocab, 0.0, 1e7);
  in("dense_scenario_shift", dense_scenario_shift, 0.0, 3.0);
  in("ctr_scenario_bias", ctr_scenario_bias, 0.0, 3.0);
  in("ctr_shared_effect", ctr_shared_effect, 0.0, 3.0);
  in("ctr_scenario_effect", ctr_scenario_effect, 0.0, 3.0);
  in("cvr_scenario_bias", cvr_scenario_bias, 0.0, 3.0);
  in("cvr_shared_effect", cvr_shared_effect, 0.0, 3.0);
  in("cvr_type_effect", cvr_type_effect, 0.0, 3.0);
  in("cvr_scenario_effect", cvr_scenario_effect, 0.0, 3.0);
  in("cvr_nonlinear_effect", cvr_nonlinear_effect, 0.0, 3.0);
  if (rows_per_shard < 1) fail("{}: rows_per_shard must be at least 1", where);
  if (calibration_rows < 256 || calibration_rows > (1u << 24))
    fail("{}: calibration_rows is {}; need 256 to {}", where, calibration_rows, 1u << 24);
  if (default_rows < 1) fail("{}: default_rows must be at least 1", where);
}

Schema SynthConfig::schema() const {
  Schema s;
  s.n_types = n_types;
  s.n_scenarios = n_scenarios;
  for (const auto& f : categorical) s.categorical.push_back({f.name, f.vocab});
  for (std::uint32_t j = 0; j < n_dense; ++j) s.dense.push_back(fmt::format("I{}", j + 1));
  s.has_truth = true;
  return s;
}

Dictionaries SynthConfig::dictionaries() const {
  Dictionaries d;
  for (std::uint32_t t = 0; t < n_types; ++t) d.types.push_back(type_name(t));
  for (std::uint32_t s = 0; s < n_scenarios; ++s) d.scenarios.push_back(scenario_name(s));
  return d;
}

SynthConfig tiny_preset() {
  SynthConfig c;
  c.name = "tiny";
  c.n_types = 3;
  c.n_scenarios = 4;
  c.categorical = {{"user", 1000, 1.05, false}, {"item", 300, 1.1, true}, {"site", 40, 1.2, false},
                   {"category", 10, 0.8, false}};
  c.n_dense = 2;
  c.default_rows = 50000;
  c.domain_zipf_exponent = 1.0;
  c.absent_fraction = 0.17;  // 2 of 12
  c.mean_ctr = 0.15;
  return c;
}

SynthConfig criteo_like_preset() {
  SynthConfig c;
  c.name = "criteo-like";
  c.n_types = 17;
  c.n_scenarios = 21;
  const int fields = 17;
  for (int f = 0; f < fields; ++f) {
    // Vocabularies log-spaced from 10 to 10^6; larger vocabularies have heavier heads.
    const double vocab = std::floor(pow_det(10.0, 1.0 + 5.0 * f / (fields - 1)) + 0.5);
    const double exponent = 0.9 + 0.2 * f / (fields - 1);
    c.categorical.push_back({fmt::format("C{:02d}", f + 1), static_cast<std::uint32_t>(vocab), exponent, f % 4 == 1});
  }
  c.n_dense = 4;
  c.default_rows = 2'000'000;
  c.domain_zipf_exponent = 1.1;
  c.absent_fraction = 0.2;
  c.mean_ctr = 0.05;
  c.learnable_vocab = 1000;
  c.test_fraction = 0.25;
  return c;
}

std::vector<std::string> preset_names() { return {"tiny", "criteo-like"}; }

SynthConfig preset(const std::string& name) {
  if (name == "tiny") return tiny_preset();
  if (name == "criteo-like") return criteo_like_preset();
  std::string valid;
  for (const auto& n : preset_names()) valid += (valid.empty() ? "" : ", ") + n;
  fail("unknown preset '{}'; the presets are: {}", name, valid);
}

}  // namespace mmn::synth
