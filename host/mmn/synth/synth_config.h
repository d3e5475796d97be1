#pragma once
// What a synthetic data set looks like: the grid of domains, the fields, the
// traffic and label rates, and the sizes of the true model's effects. Presets
// are ready-made configs; tests build small custom ones.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mmn/data/schema.h"

namespace mmn::synth {

struct SynthField {
  std::string name;
  std::uint32_t vocab = 0;        // ids in [0, vocab), Zipf-distributed by popularity
  double zipf_exponent = 1.1;
  bool scenario_shift = false;    // each scenario has its own popular ids (a rotation of the ranks)
};

struct SynthConfig {
  std::string name = "custom";
  std::uint32_t n_types = 3;
  std::uint32_t n_scenarios = 4;
  std::vector<SynthField> categorical;
  std::uint32_t n_dense = 2;
  std::uint64_t default_rows = 50000;  // rows over all splits when --rows is not given

  // Traffic and splits.
  double domain_zipf_exponent = 1.1;  // traffic share of the r-th largest present domain ~ (r + 1)^-exponent
  double absent_fraction = 0.15;      // share of the (t, s) combinations with no traffic at all
  double test_fraction = 0.1;         // share of the (not held-out) rows in the test split

  // Label rates: the mean CTR, and per type the mean CVR per click, log-spaced from
  // min_type_cvr (type 0) to max_type_cvr (the last type).
  double mean_ctr = 0.05;
  double min_type_cvr = 0.0005;
  double max_type_cvr = 0.28;

  // Sizes (standard deviations on the logit scale) of the true model's effects. The
  // latent vector phi(x) of a row has unit variance per coordinate; see ground_truth.h.
  double dense_share = 0.2;             // share of phi's variance that comes from the dense features
  // 0: every field's weight is drawn alike. Else a field with a larger vocabulary than this has
  // its weight scaled by sqrt(learnable_vocab / vocab): most of the signal then sits in values a
  // model sees often enough to learn, and the long tails of huge fields carry a little of it.
  double learnable_vocab = 0.0;
  double dense_scenario_shift = 0.5;    // spread of the dense features' means across scenarios
  double ctr_scenario_bias = 0.4;
  double ctr_shared_effect = 1.0;
  double ctr_scenario_effect = 0.3;
  double cvr_scenario_bias = 0.3;
  double cvr_shared_effect = 0.9;
  double cvr_type_effect = 0.6;
  double cvr_scenario_effect = 0.45;
  double cvr_nonlinear_effect = 0.35;

  std::uint64_t rows_per_shard = 1u << 18;
  std::uint32_t calibration_rows = 32768;  // rows drawn per type to calibrate the intercepts

  // Throws mmn::Error naming the first setting out of range.
  void validate() const;
  Schema schema() const;            // has_truth = true
  Dictionaries dictionaries() const;  // "type00".., "scen00"..
  nlohmann::json to_json() const;
  // The inverse of to_json: every key optional (a missing one keeps `base`'s value). Throws
  // mmn::Error naming the key for an unknown key, a value of the wrong type or a setting out of range.
  static SynthConfig from_json(const nlohmann::json& j, const SynthConfig& base);
};

// `base` with "key=value" overrides of its to_json keys (command line: mmn synth --set). The value
// is read as JSON where it parses (numbers, true/false, arrays such as the categorical field
// list) and as a string otherwise. Throws mmn::Error naming the override that is wrong.
SynthConfig with_overrides(const SynthConfig& base, const std::vector<std::string>& overrides);

std::string type_name(std::uint32_t t);      // "type00"
std::string scenario_name(std::uint32_t s);  // "scen00"

// 3 types x 4 scenarios, 4 categorical fields (vocabularies 10 to 1000), 2 dense, 50k rows:
// seconds to generate and to train on.
SynthConfig tiny_preset();
// 17 types x 21 scenarios, 17 categorical fields (vocabularies log-spaced from 10 to 10^6),
// 4 dense, 2M rows.
SynthConfig criteo_like_preset();

std::vector<std::string> preset_names();
// Throws mmn::Error listing the valid names when `name` is not one.
SynthConfig preset(const std::string& name);

}  // namespace mmn::synth
