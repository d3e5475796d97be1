#pragma once
// `mmn train`: the training loop on a configuration, with its run directory,
// periodic logging, evaluation and checkpoints, resume, and the final reports.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "mmn/train/evaluator.h"
#include "mmn/train/train_config.h"

namespace mmn {

class Communicator;
class MmnModel;

struct TrainOptions {
  bool resume = false;     // continue from the newest valid checkpoint in run.dir
  bool overwrite = false;  // remove an earlier run in run.dir first
  bool quiet = false;      // no progress output (tests)
};

// Test hooks.
struct TrainHooks {
  // Sees each step's loss and gradients (step counted from 1, the gradients in the host model
  // on every backend) before the divergence check, and may change them (to inject NaN or
  // infinity).
  std::function<void(std::uint64_t step, MmnModel& model, LossValue& loss)> after_gradients;
};

struct TrainOutcome {
  std::uint64_t steps = 0;
  double samples_per_second = 0.0;  // training steps only, excluding evaluation
  std::optional<EvalReport> test;
  std::optional<EvalReport> heldout;
  std::string last_checkpoint;
  std::uint64_t skipped_batches = 0;  // train.on_divergence = "skip_batch": batches dropped
  // Steps were queued on the backend one ahead of the host (one process, no gradient hook,
  // train.on_divergence = "stop"; on the CUDA backend, without a host round trip per step).
  bool pipelined = false;
  std::uint64_t parameter_checksum = 0;  // of every parameter at the end (the same on every rank)
  // With a validation split: the step of the best validation score, whose parameters the run
  // ends with (its reports and `mmn eval`/`predict` use them); 0 without one.
  std::uint64_t best_step = 0;
  bool stopped_early = false;  // train.early_stopping_patience ended the run
};

// With a communicator of P processes (mpirun / srun), data-parallel: train.batch_size is the
// global batch, each rank trains on its share and all ranks step identically; rank 0 logs,
// writes the run directory and checkpoints, and gets the evaluation reports.
TrainOutcome train(const TrainConfig& config, const TrainOptions& options, const TrainHooks& hooks = {},
                   Communicator* comm = nullptr);

}  // namespace mmn
