#pragma once
// Area under the ROC curve: the probability that a random positive scores above a
// random negative, ties counting one half. Returns NaN when there are no positives
// or no negatives.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mmn {

double auc(const float* scores, const std::uint8_t* labels, std::size_t n);
inline double auc(const std::vector<float>& scores, const std::vector<std::uint8_t>& labels) {
  return auc(scores.data(), labels.data(), scores.size() < labels.size() ? scores.size() : labels.size());
}

// Mean log loss of probabilities against 0/1 labels, probabilities clamped to [1e-7, 1 - 1e-7].
double log_loss(const float* probabilities, const std::uint8_t* labels, std::size_t n);

}  // namespace mmn
