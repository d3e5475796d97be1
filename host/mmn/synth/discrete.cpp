#include "mmn/synth/discrete.h"

#include <cmath>

#include "mmn/util/error.h"

namespace mmn::synth {

namespace {
constexpr std::uint64_t kOne = std::uint64_t{1} << 32;  // a full slot
}  // namespace

DiscreteSampler::DiscreteSampler(const std::vector<double>& weights) {
  const std::size_t n = weights.size();
  if (n == 0) fail("discrete sampler: no weights");
  if (n > (std::size_t{1} << 31)) fail("discrete sampler: {} weights, more than 2^31", n);
  double total = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double w = weights[i];
    if (!std::isfinite(w) || w < 0.0) fail("discrete sampler: weight {} of index {} is not finite and >= 0", w, i);
    total += w;
  }
  if (!(total > 0.0) || !std::isfinite(total))
    fail("discrete sampler: the weights' sum {} is not positive and finite", total);

  // Integer masses summing to n * 2^32: each index's share of n slots of 2^32 units.
  std::vector<std::uint64_t> mass(n);
  const double units = static_cast<double>(n) * static_cast<double>(kOne);
  std::uint64_t sum = 0;
  std::size_t largest = 0;
  for (std::size_t i = 0; i < n; ++i) {
    mass[i] = static_cast<std::uint64_t>(std::floor(weights[i] / total * units));
    sum += mass[i];
    if (mass[i] > mass[largest]) largest = i;
  }
  const std::uint64_t want = static_cast<std::uint64_t>(n) * kOne;
  if (sum > want) {
    mass[largest] -= sum - want;  // rounding: at most a few units
  } else {
    mass[largest] += want - sum;
  }

  // Vose: pair each under-full slot with an over-full index that tops it up.
  table_.resize(n);
  std::vector<std::uint32_t> small, large;
  for (std::size_t i = 0; i < n; ++i) (mass[i] < kOne ? small : large).push_back(static_cast<std::uint32_t>(i));
  while (!small.empty() && !large.empty()) {
    const std::uint32_t s = small.back();
    small.pop_back();
    const std::uint32_t l = large.back();
    table_[s] = mass[s] | (std::uint64_t{l} << 32);
    mass[l] -= kOne - mass[s];
    if (mass[l] < kOne) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // What is left is full (exactly, as the masses are integers): it keeps every draw.
  for (const std::uint32_t i : large) table_[i] = 0xffffffffu | (std::uint64_t{i} << 32);
  for (const std::uint32_t i : small) table_[i] = 0xffffffffu | (std::uint64_t{i} << 32);
}

double DiscreteSampler::probability(std::uint32_t i) const {
  const std::uint64_t n = table_.size();
  if (i >= n) return 0.0;
  // Slot j is picked by the high halves h with floor(h n / 2^32) = j: ceil(2^32 (j+1) / n) - ceil(2^32 j / n) of them.
  auto slot_size = [n](std::uint64_t j) {
    const std::uint64_t hi = ((j + 1) * kOne + n - 1) / n;
    const std::uint64_t lo = (j * kOne + n - 1) / n;
    return hi - lo;
  };
  // The threshold entry of slot j keeps u < threshold (values 0..threshold-1); the rest go to its alias.
  long double p = 0.0L;
  for (std::uint64_t j = 0; j < n; ++j) {
    const std::uint64_t threshold = table_[j] & 0xffffffffu;
    const auto alias = static_cast<std::uint32_t>(table_[j] >> 32);
    const long double size = static_cast<long double>(slot_size(j));
    if (j == i) p += size * static_cast<long double>(threshold);
    if (alias == i) p += size * static_cast<long double>(kOne - threshold);
  }
  return static_cast<double>(p / (static_cast<long double>(kOne) * static_cast<long double>(kOne)));
}

}  // namespace mmn::synth
