#pragma once
// The training run behind mmn::train (trainer.h). Internal to the trainer's sources.
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "mmn/backend/training_backend.h"
#include "mmn/comm/communicator.h"
#include "mmn/data/dataset.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/train/batch_loader.h"
#include "mmn/train/best_model.h"
#include "mmn/train/checkpoint.h"
#include "mmn/train/log_interval.h"
#include "mmn/train/progress.h"
#include "mmn/train/read_ahead.h"
#include "mmn/train/run_directory.h"
#include "mmn/train/trainer.h"
#include "mmn/train/validation.h"
#include "mmn/util/thread_pool.h"

namespace mmn {

using Clock = std::chrono::steady_clock;

// One training run: the set-up (data, run directory, model, resume, backend) in the
// constructor (trainer.cpp), then run(): the step loop (its steps in training_run_steps.cpp),
// validation and evaluation, and the reports.
class TrainingRun {
 public:
  TrainingRun(const TrainConfig& config, const TrainOptions& options, const TrainHooks& hooks, Communicator& comm);
  TrainOutcome run();

 private:
  void open_data();
  void open_run_directory();
  void resume();
  void fit_rare_ids();
  bool train_one_step(const TrainingBatch& batch);  // false: the batch was skipped
  // Pipelined steps (TrainingBackend::queue_step): true: stop early.
  bool queue_step(const TrainingBatch& batch, Clock::time_point& t0);
  void settle_step();
  bool at_boundary(std::uint64_t step) const;  // logs, checkpoints, validates, evaluates or ends there
  bool after_step();                            // the bookkeeping of a finished step; true: stop early
  bool validation_due(std::uint64_t step) const;
  bool validate_and_track();                      // true: stop early
  void evaluate_periodically();
  void save();
  [[noreturn]] void diverged(std::uint64_t at_step, const std::string& what) const;
  std::optional<EvalReport> evaluate_on(const Dataset& data);
  double validation_score_now();
  void end_with_best_parameters();
  void write_reports();
  void append_eval(const EvalReport& report, const char* split);
  bool validating() const { return split_.rows.rows() > 0; }

  const TrainConfig& config_;
  const TrainOptions& options_;
  const TrainHooks& hooks_;
  Communicator& comm_;
  const bool lead_;  // logs, writes the run directory and checkpoints
  const bool show_;  // prints progress
  const Clock::time_point started_ = Clock::now();
  ThreadPool pool_;
  std::optional<Dataset> train_data_, test_data_, heldout_data_;
  std::optional<RunDirectory> run_dir_;
  std::optional<CheckpointDirectory> checkpoints_, best_checkpoints_;
  std::optional<MmnModel> model_;
  std::optional<Optimizer> optimizer_;
  ValidationSplit split_;
  ColumnBlock validation_rows_;
  std::optional<BatchLoader> loader_;
  BestModelTracker best_;
  std::unique_ptr<TrainingBackend> backend_;
  std::uint64_t step_ = 0, total_steps_ = 0;
  TrainOutcome outcome_;
  std::ostream discard_{nullptr};
  std::optional<Progress> progress_;
  std::vector<std::uint64_t> data_domain_rows_;
  std::uint32_t skipped_in_a_row_ = 0;
  std::uint64_t trained_rows_ = 0;
  double train_seconds_ = 0;
  double last_loss_ = 0;
  LogInterval interval_;
  std::optional<ReadAheadBatches> batches_;
  std::deque<std::uint64_t> queued_rows_;  // the rows of each queued, unsettled step
};

}  // namespace mmn
