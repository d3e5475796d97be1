#include "mmn/metrics/domain_auc.h"

#include <cmath>
#include <limits>

#include "mmn/metrics/auc.h"

namespace mmn {

DomainAuc domain_auc(const std::vector<float>& scores, const std::vector<std::uint8_t>& labels,
                     const std::vector<std::uint32_t>& domain, std::uint32_t n_domains, std::uint64_t min_class_count) {
  DomainAuc r;
  r.auc.assign(n_domains, std::numeric_limits<double>::quiet_NaN());
  r.rows.assign(n_domains, 0);
  r.positives.assign(n_domains, 0);
  std::vector<std::vector<float>> s(n_domains);
  std::vector<std::vector<std::uint8_t>> l(n_domains);
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const std::uint32_t d = domain[i];
    s[d].push_back(scores[i]);
    l[d].push_back(labels[i]);
    r.rows[d] += 1;
    r.positives[d] += labels[i] != 0;
  }
  double sum = 0.0, weighted = 0.0, weight = 0.0;
  for (std::uint32_t d = 0; d < n_domains; ++d) {
    if (r.positives[d] < min_class_count || r.rows[d] - r.positives[d] < min_class_count) continue;
    r.auc[d] = auc(s[d], l[d]);
    sum += r.auc[d];
    weighted += r.auc[d] * static_cast<double>(r.rows[d]);
    weight += static_cast<double>(r.rows[d]);
    r.scored += 1;
  }
  r.mean = r.scored > 0 ? sum / r.scored : std::numeric_limits<double>::quiet_NaN();
  r.weighted_mean = weight > 0 ? weighted / weight : std::numeric_limits<double>::quiet_NaN();
  return r;
}

}  // namespace mmn
