#pragma once
// The distribution of a row's features given its scenario: categorical ids by a
// Zipf law over each field's vocabulary (see ZipfSampler; fields marked
// scenario_shift rotate their ranks per scenario, so each scenario has its own
// popular ids), dense features normal with a per-scenario mean.
#include <cstdint>
#include <vector>

#include "mmn/synth/synth_config.h"
#include "mmn/synth/zipf.h"
#include "mmn/util/rng.h"

namespace mmn {
class ThreadPool;
}

namespace mmn::synth {

class FeatureSampler {
 public:
  FeatureSampler(const SynthConfig& config, std::uint64_t seed, ThreadPool* pool = nullptr);

  std::size_t n_categorical() const { return zipf_.size(); }
  std::size_t n_dense() const { return n_dense_; }

  // Draws the ids (n_categorical) and dense values (n_dense) of one row in scenario s.
  void draw(Rng& rng, std::uint32_t s, std::uint32_t* ids, float* dense) const {
    const std::size_t fields = zipf_.size();
    const std::uint32_t* shift = shift_.data() + std::size_t{s} * fields;
    for (std::size_t f = 0; f < fields; ++f) {
      std::uint32_t id = zipf_[f](rng) + shift[f];
      if (id >= vocab_[f]) id -= vocab_[f];
      ids[f] = id;
    }
    const float* mean = dense_mean_.data() + std::size_t{s} * n_dense_;
    for (std::size_t j = 0; j < n_dense_; ++j) dense[j] = static_cast<float>(rng.normal()) + mean[j];
  }

 private:
  std::vector<ZipfSampler> zipf_;  // per field
  std::vector<std::uint32_t> vocab_;
  std::vector<std::uint32_t> shift_;   // [s * fields + f]: rank offset, in [0, vocab)
  std::size_t n_dense_ = 0;
  std::vector<float> dense_mean_;      // [s * n_dense + j]
};

}  // namespace mmn::synth
