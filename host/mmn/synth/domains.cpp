#include "mmn/synth/domains.h"

#include <algorithm>
#include <numeric>
#include <string>

#include <fmt/format.h>

#include "mmn/synth/zipf.h"
#include "mmn/util/det_math.h"
#include "mmn/util/error.h"
#include "mmn/util/rng.h"

namespace mmn::synth {

std::uint32_t DomainPlan::present_count() const {
  return static_cast<std::uint32_t>(std::count(present.begin(), present.end(), std::uint8_t{1}));
}

DomainPlan plan_domains(const SynthConfig& config, std::uint64_t seed) {
  config.validate();
  DomainPlan p;
  p.n_types = config.n_types;
  p.n_scenarios = config.n_scenarios;
  const std::uint32_t n = p.n_domains();
  p.present.assign(n, 1);
  Rng rng(seed, RngStream::domains);

  // Absent combinations: walk the domains in a random order and drop each one whose
  // type and scenario keep another present domain, until enough are gone.
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  shuffle(order.data(), n, rng);
  const auto wanted = static_cast<std::uint32_t>(config.absent_fraction * n + 0.5);
  std::vector<std::uint32_t> per_type(p.n_types, p.n_scenarios), per_scenario(p.n_scenarios, p.n_types);
  std::uint32_t dropped = 0;
  for (const std::uint32_t d : order) {
    if (dropped == wanted) break;
    const std::uint32_t t = d / p.n_scenarios, s = d % p.n_scenarios;
    if (per_type[t] < 2 || per_scenario[s] < 2) continue;
    p.present[d] = 0;
    per_type[t] -= 1;
    per_scenario[s] -= 1;
    dropped += 1;
  }

  // Traffic: Zipf over the present domains in a random order.
  std::vector<std::uint32_t> present;
  for (std::uint32_t d = 0; d < n; ++d)
    if (p.present[d] != 0) present.push_back(d);
  shuffle(present.data(), present.size(), rng);
  const std::vector<double> weights = zipf_weights(present.size(), config.domain_zipf_exponent);
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  p.traffic.assign(n, 0.0);
  p.rank.assign(n, kAbsent);
  for (std::uint32_t r = 0; r < present.size(); ++r) {
    p.traffic[present[r]] = weights[r] / total;
    p.rank[present[r]] = r;
  }

  // Base CVR per type, log-spaced from the lowest (type 0) to the highest (last type).
  p.type_cvr.resize(p.n_types);
  const double lo = log_det(config.min_type_cvr), hi = log_det(config.max_type_cvr);
  for (std::uint32_t t = 0; t < p.n_types; ++t) {
    const double f = p.n_types == 1 ? 0.0 : static_cast<double>(t) / (p.n_types - 1);
    p.type_cvr[t] = t + 1 == p.n_types && p.n_types > 1 ? config.max_type_cvr
                                                         : (t == 0 ? config.min_type_cvr : exp_det(lo + (hi - lo) * f));
  }
  return p;
}

std::vector<std::uint32_t> choose_holdout(const DomainPlan& plan, std::uint32_t k, std::uint64_t seed) {
  if (k == 0) return {};
  const std::uint32_t present = plan.present_count();
  const std::uint32_t first_rank = std::max<std::uint32_t>(1, present / 10);
  const std::uint32_t end_rank = present / 2;
  std::vector<std::uint32_t> candidates;
  for (std::uint32_t d = 0; d < plan.n_domains(); ++d)
    if (plan.rank[d] != kAbsent && plan.rank[d] >= first_rank && plan.rank[d] < end_rank) candidates.push_back(d);
  Rng rng(seed, RngStream::holdout);
  shuffle(candidates.data(), candidates.size(), rng);

  std::vector<std::uint32_t> per_type(plan.n_types, 0), per_scenario(plan.n_scenarios, 0);
  for (std::uint32_t d = 0; d < plan.n_domains(); ++d) {
    if (plan.present[d] == 0) continue;
    per_type[d / plan.n_scenarios] += 1;
    per_scenario[d % plan.n_scenarios] += 1;
  }
  std::vector<std::uint32_t> chosen;
  for (const std::uint32_t d : candidates) {
    if (chosen.size() == k) break;
    const std::uint32_t t = d / plan.n_scenarios, s = d % plan.n_scenarios;
    if (per_type[t] < 2 || per_scenario[s] < 2) continue;
    per_type[t] -= 1;
    per_scenario[s] -= 1;
    chosen.push_back(d);
  }
  if (chosen.size() < k) {
    const std::string ranks = end_rank > first_rank
                                  ? fmt::format("traffic ranks {} to {}", first_rank, end_rank - 1)
                                  : std::string("none, too few present domains");
    fail("--holdout {}: only {} of the {} present domains can be held out (candidates: {}, neither the largest "
         "tenth nor the rarer half; every type and scenario must keep a training domain); use --holdout {}{}",
         k, chosen.size(), present, ranks, chosen.size(), chosen.empty() ? "" : " or less");
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

}  // namespace mmn::synth
