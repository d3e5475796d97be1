#include "mmn/metrics/auc.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace mmn {

double auc(const float* scores, const std::uint8_t* labels, std::size_t n) {
  std::vector<std::uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return scores[a] < scores[b]; });
  // Walk ascending scores in tie groups: each positive beats all negatives seen before its group,
  // and half of the negatives inside it.
  double pairs = 0.0;
  std::uint64_t negatives_below = 0, positives = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    std::uint64_t pos = 0, neg = 0;
    while (j < n && scores[order[j]] == scores[order[i]]) {
      (labels[order[j]] != 0 ? pos : neg) += 1;
      ++j;
    }
    pairs += static_cast<double>(pos) * (static_cast<double>(negatives_below) + 0.5 * static_cast<double>(neg));
    negatives_below += neg;
    positives += pos;
    i = j;
  }
  if (positives == 0 || negatives_below == 0) return std::numeric_limits<double>::quiet_NaN();
  return pairs / (static_cast<double>(positives) * static_cast<double>(negatives_below));
}

double log_loss(const float* p, const std::uint8_t* labels, std::size_t n) {
  if (n == 0) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double q = std::clamp(static_cast<double>(p[i]), 1e-7, 1.0 - 1e-7);
    sum -= labels[i] != 0 ? std::log(q) : std::log1p(-q);
  }
  return sum / static_cast<double>(n);
}

}  // namespace mmn
