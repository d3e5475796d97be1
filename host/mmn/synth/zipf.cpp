#include "mmn/synth/zipf.h"

#include <algorithm>

#include "mmn/util/det_math.h"
#include "mmn/util/error.h"

namespace mmn::synth {
namespace {

constexpr std::uint32_t kCellGrowth = 64;  // a cell starting at rank r is max(1, r / 64) wide

void check(std::uint64_t n, double exponent) {
  if (n == 0) fail("zipf: the support is empty");
  if (!(exponent >= 0.0) || exponent > 10.0) fail("zipf: exponent {} is not in [0, 10]", exponent);
}

// Sum of (r + 1)^-a over r in [lo, hi): exact for narrow cells, else the integral of
// x^-a over [lo + 1/2, hi + 1/2] (the midpoint rule; relative error ~ 1 / lo^2).
double cell_weight(std::uint32_t lo, std::uint32_t hi, double a) {
  if (hi - lo <= 4) {
    double sum = 0.0;
    for (std::uint32_t r = lo; r < hi; ++r) sum += exp_det(-a * log_det(static_cast<double>(r) + 1.0));
    return sum;
  }
  const double x0 = static_cast<double>(lo) + 0.5, x1 = static_cast<double>(hi) + 0.5;
  const double l0 = log_det(x0), l1 = log_det(x1);
  const double b = 1.0 - a;
  if (b > -1e-9 && b < 1e-9) return l1 - l0;
  return (exp_det(b * l1) - exp_det(b * l0)) / b;
}

}  // namespace

std::vector<double> zipf_weights(std::uint64_t n, double exponent) {
  check(n, exponent);
  std::vector<double> w(n);
  for (std::uint64_t r = 0; r < n; ++r) w[r] = exp_det(-exponent * log_det(static_cast<double>(r + 1)));
  return w;
}

ZipfSampler::ZipfSampler(std::uint32_t n, double exponent) : n_(n) {
  check(n, exponent);
  std::vector<double> weights;
  for (std::uint32_t lo = 0; lo < n;) {
    const std::uint32_t width = std::max<std::uint32_t>(1, lo / kCellGrowth);
    const std::uint32_t hi = n - lo < width ? n : lo + width;
    start_.push_back(lo);
    weights.push_back(cell_weight(lo, hi, exponent));
    lo = hi;
  }
  start_.push_back(n);
  cells_ = DiscreteSampler(weights);
  cell_.resize(weights.size());
  for (std::size_t c = 0; c < cell_.size(); ++c)
    cell_[c] = start_[c] | (static_cast<std::uint64_t>(start_[c + 1] - start_[c]) << 32);
}

double ZipfSampler::probability(std::uint32_t r) const {
  if (r >= n_) return 0.0;
  const auto c = static_cast<std::uint32_t>(std::upper_bound(start_.begin(), start_.end(), r) - start_.begin() - 1);
  return cells_.probability(c) / static_cast<double>(start_[c + 1] - start_[c]);
}

}  // namespace mmn::synth
