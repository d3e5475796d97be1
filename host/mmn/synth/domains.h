#pragma once
// The domain grid of a synthetic data set: which (type, scenario) combinations
// exist, how traffic is spread over them (Zipf-like: a few domains take most rows),
// each type's base conversion rate, and the choice of held-out combinations.
#include <cstdint>
#include <vector>

#include "mmn/synth/synth_config.h"

namespace mmn::synth {

inline constexpr std::uint32_t kAbsent = 0xffffffffu;

struct DomainPlan {
  std::uint32_t n_types = 0;
  std::uint32_t n_scenarios = 0;
  std::vector<std::uint8_t> present;  // [t * n_scenarios + s]
  std::vector<double> traffic;        // expected share of rows; 0 for absent domains; sums to 1
  std::vector<std::uint32_t> rank;    // traffic rank among present domains (0 = largest); kAbsent if absent
  std::vector<double> type_cvr;       // target mean CVR per click of each type

  std::uint32_t index(std::uint32_t t, std::uint32_t s) const { return t * n_scenarios + s; }
  std::uint32_t n_domains() const { return n_types * n_scenarios; }
  std::uint32_t present_count() const;
};

// Absent combinations are chosen so that every type and every scenario keeps at
// least one present domain. Depends on the config and the seed only.
DomainPlan plan_domains(const SynthConfig& config, std::uint64_t seed);

// `k` present domains to hold out for zero-shot tests, as sorted domain indices.
// Candidates are the middle of the traffic ranking (neither the largest tenth, which
// would gut the training data, nor the rarer half, too small to measure), and each
// type and scenario must keep a present domain that is not held out, so a model with
// per-type and per-scenario parameters has seen both parts of every held-out
// combination. Throws mmn::Error when fewer than `k` can be chosen.
std::vector<std::uint32_t> choose_holdout(const DomainPlan& plan, std::uint32_t k, std::uint64_t seed);

}  // namespace mmn::synth
