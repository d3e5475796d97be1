#include "mmn/train/trainer.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "mmn/backend/divergence.h"
#include "mmn/backend/training_backend.h"
#include "mmn/comm/communicator.h"
#include "mmn/comm/gradient_exchange.h"
#include "mmn/data/dataset.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/model/rare_ids.h"
#include "mmn/ops/blas.h"
#include "mmn/train/batch_loader.h"
#include "mmn/train/best_model.h"
#include "mmn/train/checkpoint.h"
#include "mmn/train/log_interval.h"
#include "mmn/train/plots.h"
#include "mmn/train/progress.h"
#include "mmn/train/read_ahead.h"
#include "mmn/train/report_table.h"
#include "mmn/train/resume.h"
#include "mmn/train/run_checks.h"
#include "mmn/train/run_directory.h"
#include "mmn/train/run_summary.h"
#include "mmn/train/step_loss.h"
#include "mmn/train/training_run.h"
#include "mmn/train/validation.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"

namespace mmn {

namespace fs = std::filesystem;

TrainingRun::TrainingRun(const TrainConfig& config, const TrainOptions& options, const TrainHooks& hooks,
                         Communicator& comm)
    : config_(config),
      options_(options),
      hooks_(hooks),
      comm_(comm),
      lead_(comm.rank() == 0),
      show_(lead_ && !options.quiet),
      pool_((blas::library_info(),  // loads OpenBLAS on this thread, before any worker runs a GEMM
             config.train.threads > 0 ? config.train.threads : ThreadPool::default_threads())),
      best_(config.train.early_stopping_patience) {
  resolve_device(config_.train.device, config_.train.precision);
  check_same_config_on_every_rank(comm_, config_);
  if (config_.train.batch_size < static_cast<std::uint32_t>(comm_.size()))
    fail("train.batch_size = {} is the global batch and cannot be shared by {} processes", config_.train.batch_size,
         comm_.size());
  open_data();
  open_run_directory();
  model_.emplace(config_.model, train_data_->schema(), config_.train.seed);
  optimizer_.emplace(config_.optimizer, *model_);
  split_ = split_validation(*train_data_, config_.train.validation_fraction);
  loader_.emplace(*train_data_, config_.train.batch_size, config_.train.seed, config_.train.shuffle_window,
                  static_cast<std::uint32_t>(comm_.rank()), static_cast<std::uint32_t>(comm_.size()),
                  split_.train_groups);
  if (lead_ && validating())
    best_checkpoints_.emplace((fs::path(config_.run.dir) / "checkpoints" / kBestCheckpointDir).string(), 1);
  if (options_.resume) resume();
  fit_rare_ids();

  // Parameters and optimizer state, from a checkpoint or fresh, go to the backend from the host model.
  const auto ranks = static_cast<std::uint32_t>(comm_.size());
  const std::uint32_t share = (config_.train.batch_size + ranks - 1) / ranks;
  backend_ = make_backend(config_.train.device, {*model_, &*optimizer_, pool_,
                                                  std::max(share, config_.train.eval_batch_size), local_rank(), &comm_,
                                                  config_.train.precision});
  if (show_) fmt::print("backend: {}\n", backend_->description());
  // A step is found not finite after the next one is queued: the run stops, its checkpoints untouched.
  outcome_.pipelined = comm_.size() == 1 && !hooks_.after_gradients && config_.train.on_divergence == "stop";
  total_steps_ = config_.train.max_steps > 0 ? config_.train.max_steps
                                             : std::uint64_t{config_.train.epochs} * loader_->batches_per_epoch();
  optimizer_->set_total_steps(total_steps_);
  progress_.emplace(total_steps_, show_ ? std::cout : discard_, show_ && ::isatty(STDOUT_FILENO) != 0,
                    config_.train.log_every, step_);
  data_domain_rows_ = data_loss_rows_per_domain(*train_data_, config_.loss, pool_);
  batches_.emplace(
      *loader_, config_.train.max_steps == 0 ? config_.train.epochs : 0,
      [this](TrainingBatch& batch) {
        map_rare_ids(*model_, batch.rows);
        model_->domains_of(view_of(batch.rows), batch.domain);
      },
      [this](const TrainingBatch& batch) { backend_->prefetch(batch.view()); });
}

void TrainingRun::open_data() {
  train_data_.emplace(Dataset::open(config_.data.train, Verify::full, &pool_));
  if (!config_.data.test.empty()) test_data_.emplace(Dataset::open(config_.data.test, Verify::full, &pool_));
  if (!config_.data.heldout.empty()) heldout_data_.emplace(Dataset::open(config_.data.heldout, Verify::full, &pool_));
  if (test_data_) require_same_domains(*train_data_, *test_data_);
  if (heldout_data_) require_same_domains(*train_data_, *heldout_data_);
  inject_rank_failure(comm_);
}

void TrainingRun::open_run_directory() {
  if (!lead_) return;
  prepare_run_dir(config_.run.dir, options_);
  run_dir_.emplace(config_.run.dir);
  run_dir_->write_config(config_);
  run_dir_->write_schema(train_data_->schema());
  checkpoints_.emplace((fs::path(config_.run.dir) / "checkpoints").string(), config_.train.keep_checkpoints);
}

void TrainingRun::resume() {
  if (validating()) best_ = BestModelTracker(config_.train.early_stopping_patience,
                                                         read_best(config_.run.dir, comm_));
  const ResumePoint point = resume_from_checkpoints(
      checkpoints_ ? &*checkpoints_ : nullptr, config_.run.dir, *model_, *optimizer_,
      [this] {
        model_.emplace(config_.model, train_data_->schema(), config_.train.seed);
        optimizer_.emplace(config_.optimizer, *model_);
      },
      comm_, !show_);
  if (!point.checkpoint.empty()) {
    loader_->seek(point.position);
    step_ = point.step;
    outcome_.last_checkpoint = point.checkpoint;
  }
  if (lead_) run_dir_->resume_metrics_at(step_);
}

// Rare categorical values' shared rows, fitted to the training data (a resumed run fits the
// same maps its checkpoint holds).
void TrainingRun::fit_rare_ids() {
  const std::vector<std::uint64_t> rare = fit_rare_id_maps(*model_, *train_data_, pool_);
  if (show_ && config_.model.min_id_count > 1) {
    std::uint64_t total = 0;
    for (const std::uint64_t r : rare) total += r;
    fmt::print("{} categorical values seen fewer than {} times share their field's out-of-vocabulary row\n", total,
               config_.model.min_id_count);
  }
  validation_rows_ = split_.rows;
  map_rare_ids(*model_, validation_rows_);
}

TrainOutcome TrainingRun::run() {
  // A resumed run that had stopped early stays stopped (unless given more patience).
  outcome_.stopped_early = best_.out_of_patience();
  bool stop = outcome_.stopped_early;
  while (!stop && step_ + queued_rows_.size() < total_steps_) {
    auto t0 = Clock::now();
    const TrainingBatch* batch = batches_->next(step_ + queued_rows_.size() + 1 < total_steps_);
    if (batch == nullptr) break;
    if (outcome_.pipelined) {
      stop = queue_step(*batch, t0);
      continue;
    }
    const bool trained = train_one_step(*batch);
    train_seconds_ += seconds_since(t0);
    if (trained) stop = after_step();
  }
  while (!queued_rows_.empty()) {  // the data ended with a step queued
    settle_step();
    after_step();
  }
  progress_->finish();
  outcome_.steps = step_;
  outcome_.samples_per_second = train_seconds_ > 0 ? static_cast<double>(trained_rows_) / train_seconds_ : 0.0;
  save();
  end_with_best_parameters();
  if (test_data_) outcome_.test = evaluate_on(*test_data_);
  if (heldout_data_) outcome_.heldout = evaluate_on(*heldout_data_);
  if (lead_) write_reports();
  return outcome_;
}

// Every rank predicts its share of the batches; rank 0 evaluates (the others get nothing).
std::optional<EvalReport> TrainingRun::evaluate_on(const Dataset& data) {
  const Predictions p = predict(
      with_rare_ids_mapped(
          *model_, [&](const ColumnView& rows, float* ctr, float* cvr) { backend_->forward(rows, ctr, cvr); }),
      data, config_.train.eval_batch_size, &comm_);
  if (!lead_) return std::nullopt;
  return evaluate(data, p);
}

// Every rank scores all validation rows (the parameters are the same everywhere), so every
// rank reaches the same verdict without a message.
double TrainingRun::validation_score_now() {
  const ColumnView rows = view_of(validation_rows_);
  const Predictions p = predict_rows(
      [&](const ColumnView& part, float* ctr, float* cvr) { backend_->forward(part, ctr, cvr); }, rows,
      config_.train.eval_batch_size);
  return validation_score(config_.train.validation_metric, rows, p.p_ctr, p.p_cvr, train_data_->schema().n_scenarios,
                          train_data_->schema().n_domains());
}

// The run's model is its best by the validation metric: every rank loads that checkpoint.
void TrainingRun::end_with_best_parameters() {
  const BestSoFar& best = best_.best();
  outcome_.best_step = validating() ? best.step : 0;
  if (!validating() || best.step == 0 || best.step == step_) return;
  std::string path = best.checkpoint;
  comm_.broadcast(path, 0);
  read_checkpoint(path, *model_, *optimizer_);
  backend_->parameters_from_host();
}

void TrainingRun::write_reports() {
  const Dictionaries& names = train_data_->dictionaries();
  const std::uint32_t n_scenarios = train_data_->schema().n_scenarios;
  if (outcome_.test) {
    run_dir_->write_domain_report("test", *outcome_.test, names, n_scenarios);
    append_eval(*outcome_.test, "test");
  }
  if (outcome_.heldout) run_dir_->write_domain_report("heldout", *outcome_.heldout, names, n_scenarios);
  run_dir_->write_summary(summary_json(
      config_, outcome_, best_.best(),
      {backend_->description(), comm_.size(), pool_.size(), split_.rows.rows(), seconds_since(started_)}));
  if (config_.run.plots)
    write_plots(config_.run.dir, outcome_.test ? &*outcome_.test : nullptr, names, train_data_->schema().n_types,
                n_scenarios);
  if (!show_) return;
  fmt::print("{} steps, {:.0f} samples/s{}; run directory {}\n", step_, outcome_.samples_per_second,
             comm_.size() > 1 ? fmt::format(" over {} processes", comm_.size()) : "", config_.run.dir);
  if (outcome_.test) fmt::print("{}", format_eval_table("test", {{config_.model.label(), *outcome_.test}}));
  if (outcome_.heldout)
    fmt::print("{}", format_eval_table("held-out combinations (zero-shot)", {{config_.model.label(), *outcome_.heldout}}));
}

TrainOutcome train(const TrainConfig& config, const TrainOptions& options, const TrainHooks& hooks,
                   Communicator* job) {
  std::unique_ptr<Communicator> single;
  Communicator& comm = job != nullptr ? *job : *(single = make_local_communicator());
  TrainingRun run(config, options, hooks, comm);
  return run.run();
}

}  // namespace mmn
