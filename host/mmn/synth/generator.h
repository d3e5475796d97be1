#pragma once
// Rows of a synthetic data set, block by block. Block b holds rows
// [b * kBlockRows, (b + 1) * kBlockRows) of the stream and is drawn from its own
// random stream (seed, b), so blocks can be made in any order on any number of
// threads and give the same rows. Each row is routed to the train, test or
// held-out split.
#include <array>
#include <cstdint>
#include <vector>

#include "mmn/data/column_block.h"
#include "mmn/synth/discrete.h"
#include "mmn/synth/domains.h"
#include "mmn/synth/features.h"
#include "mmn/synth/ground_truth.h"
#include "mmn/synth/synth_config.h"

namespace mmn {
class ThreadPool;
}

namespace mmn::synth {

inline constexpr std::uint64_t kBlockRows = 32768;

enum Split : std::size_t { kTrain = 0, kTest = 1, kHeldout = 2, kSplits = 3 };
const char* split_name(std::size_t split);

using SplitBlocks = std::array<ColumnBlock, kSplits>;

class Generator {
 public:
  // Builds the domain plan, the feature distributions and the true model (the
  // latent tables and the calibration are spread over `pool`). `holdout` lists the
  // held-out domain indices (see choose_holdout).
  Generator(SynthConfig config, std::uint64_t seed, std::vector<std::uint32_t> holdout = {},
            ThreadPool* pool = nullptr);

  const SynthConfig& config() const { return config_; }
  std::uint64_t seed() const { return seed_; }
  const Schema& schema() const { return schema_; }
  const DomainPlan& plan() const { return plan_; }
  const FeatureSampler& features() const { return features_; }
  const GroundTruth& truth() const { return truth_; }
  const std::vector<std::uint32_t>& holdout() const { return holdout_; }

  // The first `rows` (at most kBlockRows) rows of block `block`, routed to the
  // splits; `out` is overwritten. A block's first rows do not depend on `rows`.
  void generate_block(std::uint64_t block, std::size_t rows, SplitBlocks& out) const;

 private:
  SynthConfig config_;
  std::uint64_t seed_;
  Schema schema_;
  DomainPlan plan_;
  FeatureSampler features_;
  GroundTruth truth_;
  DiscreteSampler domain_sampler_;
  std::vector<std::uint32_t> holdout_;
  std::vector<std::uint8_t> held_;  // per domain
};

}  // namespace mmn::synth
