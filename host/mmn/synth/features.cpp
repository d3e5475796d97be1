#include "mmn/synth/features.h"

#include "mmn/synth/zipf.h"
#include "mmn/util/thread_pool.h"

namespace mmn::synth {

FeatureSampler::FeatureSampler(const SynthConfig& config, std::uint64_t seed, ThreadPool* pool) {
  const std::size_t fields = config.categorical.size();
  zipf_.resize(fields);
  vocab_.resize(fields);
  auto build = [&](std::size_t f) {
    zipf_[f] = ZipfSampler(config.categorical[f].vocab, config.categorical[f].zipf_exponent);
  };
  run_tasks(pool, fields, build);
  Rng rng(seed, RngStream::features);
  shift_.assign(std::size_t{config.n_scenarios} * fields, 0);
  for (std::size_t f = 0; f < fields; ++f) {
    vocab_[f] = config.categorical[f].vocab;
    if (!config.categorical[f].scenario_shift) continue;
    for (std::uint32_t s = 0; s < config.n_scenarios; ++s)
      shift_[std::size_t{s} * fields + f] = static_cast<std::uint32_t>(rng.below(vocab_[f]));
  }
  n_dense_ = config.n_dense;
  dense_mean_.resize(std::size_t{config.n_scenarios} * n_dense_);
  for (auto& m : dense_mean_) m = static_cast<float>(config.dense_scenario_shift * rng.normal());
}

}  // namespace mmn::synth
