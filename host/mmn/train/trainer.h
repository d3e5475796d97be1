#pragma once
// `mmn train`: the training loop on a configuration, with its run directory,
// periodic logging, evaluation and checkpoints, resume, and the final reports.
#include <cstdint>
#include <optional>
#include <string>

#include "mmn/train/evaluator.h"
#include "mmn/train/train_config.h"

namespace mmn {

struct TrainOptions {
  bool resume = false;     // continue from the newest valid checkpoint in run.dir
  bool overwrite = false;  // remove an earlier run in run.dir first
  bool quiet = false;      // no progress output (tests)
};

struct TrainOutcome {
  std::uint64_t steps = 0;
  double samples_per_second = 0.0;  // training steps only, excluding evaluation
  std::optional<EvalReport> test;
  std::optional<EvalReport> heldout;
  std::string last_checkpoint;
};

TrainOutcome train(const TrainConfig& config, const TrainOptions& options);

}  // namespace mmn
