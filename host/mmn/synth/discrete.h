#pragma once
// Draws an index with probability proportional to its weight in O(1) per draw,
// by Walker's alias method (Vose's construction) in exact integer arithmetic: the
// weights are quantised to multiples of 2^-32 / n, and each draw is one 64-bit
// random number and one table entry (a threshold and an alias, packed).
#include <cstdint>
#include <vector>

namespace mmn::synth {

class DiscreteSampler {
 public:
  DiscreteSampler() = default;
  // Weights must be finite and non-negative with a positive sum; an index whose
  // weight is 0 is never drawn. Throws mmn::Error otherwise.
  explicit DiscreteSampler(const std::vector<double>& weights);

  std::uint32_t size() const { return static_cast<std::uint32_t>(table_.size()); }

  // The index for the 64-bit uniform `r`: its high 32 bits pick a slot, its low 32
  // bits keep the slot's own index or take its alias. (Slot i is picked by
  // floor(2^32 (i+1) / n) - floor(2^32 i / n) values of the high bits: uniform to
  // within n / 2^32.)
  std::uint32_t operator()(std::uint64_t r) const {
    const std::uint64_t slot = ((r >> 32) * static_cast<std::uint64_t>(table_.size())) >> 32;
    const std::uint64_t entry = table_[slot];
    // Branch-free select: which way a draw goes is random, so a branch would mispredict.
    const bool below = static_cast<std::uint32_t>(r) < static_cast<std::uint32_t>(entry);
    const std::uint32_t keep = 0u - static_cast<std::uint32_t>(below);
    return (static_cast<std::uint32_t>(slot) & keep) | (static_cast<std::uint32_t>(entry >> 32) & ~keep);
  }

  // The probability the sampler draws index i with (the quantised weight, taking
  // the slot sizes into account): exact.
  double probability(std::uint32_t i) const;

 private:
  std::vector<std::uint64_t> table_;  // per slot: threshold (low 32 bits) | alias << 32
};

}  // namespace mmn::synth
