#pragma once
// Zipf-distributed ranks: P(rank r) proportional to (r + 1)^-exponent over
// [0, n); rank 0 is the most frequent.
//
// ZipfSampler draws them in O(1) from tables that stay in cache whatever n is:
// the ranks are grouped in cells, single ranks at the head and then ranges whose
// width grows geometrically (1/64 of their start, so the Zipf weight varies by
// under 2 % inside one); a cell is drawn by an alias table with the cell's total
// weight, then a rank uniformly inside it. Within a cell the distribution is thus
// flat: a piecewise-constant Zipf law, indistinguishable from the exact one for
// a data generator, at a few hundred cells for n = 10^6 instead of n entries.
#include <cstdint>
#include <vector>

#include "mmn/synth/discrete.h"
#include "mmn/util/rng.h"

namespace mmn::synth {

std::vector<double> zipf_weights(std::uint64_t n, double exponent);

class ZipfSampler {
 public:
  ZipfSampler() = default;
  ZipfSampler(std::uint32_t n, double exponent);

  std::uint32_t size() const { return n_; }
  std::uint32_t cells() const { return static_cast<std::uint32_t>(start_.size() - 1); }

  // Two 64-bit draws: the cell, then the offset in it (0 for a one-rank cell; no branch).
  std::uint32_t operator()(Rng& rng) const {
    const std::uint64_t cell = cell_[cells_(rng.next())];
    const std::uint64_t width = cell >> 32;
    return static_cast<std::uint32_t>(cell) + static_cast<std::uint32_t>(((rng.next() >> 32) * width) >> 32);
  }

  // The probability of rank r under this sampler (up to the uniformity of the
  // multiply-shift draws, within width / 2^32).
  double probability(std::uint32_t r) const;

 private:
  std::uint32_t n_ = 0;
  DiscreteSampler cells_;
  std::vector<std::uint32_t> start_;  // cell c holds ranks [start_[c], start_[c + 1])
  std::vector<std::uint64_t> cell_;   // per cell: first rank | width << 32
};

}  // namespace mmn::synth
