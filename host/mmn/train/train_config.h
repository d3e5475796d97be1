#pragma once
// Everything `mmn train` is told, with its defaults. Read from a TOML file
// (sections [data], [model], [loss], [optimizer], [train], [run]) and overridden by
// `--set section.key=value`; unknown keys are an error with a suggestion.
#include <cstdint>
#include <string>
#include <vector>

#include "mmn/model/model_config.h"
#include "mmn/model/optimizer.h"
#include "mmn/ops/operand_precision.h"
#include "mmn/ops/weighted_bce.h"
#include "mmn/train/validation.h"

namespace mmn {

struct DataConfig {
  std::string train;    // data set directory (required)
  std::string test;     // evaluated at the end and every eval_every steps ("" = none)
  std::string heldout;  // zero-shot combinations, evaluated at the end ("" = none)
};

struct TrainLoopConfig {
  std::uint32_t batch_size = 4096;
  std::uint32_t epochs = 1;
  std::uint64_t max_steps = 0;  // 0: as many as the epochs give
  std::uint64_t seed = 1;
  std::uint32_t threads = 0;    // 0: every core (or MMN_THREADS)
  std::string device = "cpu";   // cpu | cuda | auto
  Precision precision = Precision::fp32;  // operands of the towers' GEMMs (tf32, bf16: CUDA tensor cores)
  std::uint64_t log_every = 50;
  std::uint64_t eval_every = 0;  // 0: only at the end
  std::uint64_t checkpoint_every = 1000;
  std::uint32_t keep_checkpoints = 3;
  std::uint32_t eval_batch_size = 16384;
  std::uint32_t shuffle_window = 4;  // row groups whose rows are shuffled together
  std::string on_divergence = "stop";  // stop | skip_batch: what a non-finite loss or gradient does
  std::uint32_t max_skipped_batches = 10;  // skip_batch: consecutive skips before the run stops
  float validation_fraction = 0.0f;  // of the training row groups, held out; 0: no validation
  ValidationMetric validation_metric = ValidationMetric::cvr_auc;
  std::uint64_t validate_every = 0;  // steps; 0: at each epoch's end
  std::uint32_t early_stopping_patience = 0;  // validations without a new best before stopping; 0: never
};

struct RunConfig {
  std::string dir = "runs/default";
  bool plots = true;  // PNG plots through gnuplot when it is installed
};

struct TrainConfig {
  DataConfig data;
  ModelConfig model;
  LossOptions loss;
  OptimizerConfig optimizer;
  TrainLoopConfig train;
  RunConfig run;
};

// Reads `path` (may be "" for all defaults) and applies "section.key=value" overrides in order.
// Throws mmn::Error naming the file, the line and the key for an unknown key, a wrong type
// or an out-of-range value.
TrainConfig load_train_config(const std::string& path, const std::vector<std::string>& overrides);

// The resolved configuration as TOML: every key with its value, loadable by load_train_config.
std::string to_toml(const TrainConfig& config);

}  // namespace mmn
