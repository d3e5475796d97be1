#pragma once
// AUC per domain, and its plain and traffic-weighted means over the domains that
// have enough positives and negatives to score.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mmn {

inline constexpr std::uint64_t kMinDomainClassCount = 10;

struct DomainAuc {
  std::vector<double> auc;            // NaN where not scored
  std::vector<std::uint64_t> rows;    // rows per domain (of those passed in)
  std::vector<std::uint64_t> positives;
  std::uint32_t scored = 0;
  double mean = 0.0;           // over scored domains
  double weighted_mean = 0.0;  // weighted by rows
};

// `domain[i]` in [0, n_domains). A domain is scored when it has at least
// `min_class_count` positives and as many negatives.
DomainAuc domain_auc(const std::vector<float>& scores, const std::vector<std::uint8_t>& labels,
                     const std::vector<std::uint32_t>& domain, std::uint32_t n_domains,
                     std::uint64_t min_class_count = kMinDomainClassCount);

}  // namespace mmn
