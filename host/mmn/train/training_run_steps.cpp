// The training run's steps: one at a time, or pipelined on the backend; what follows each step
// (logs, checkpoints, validation, evaluation); divergence.
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mmn/backend/divergence.h"
#include "mmn/comm/gradient_exchange.h"
#include "mmn/train/run_checks.h"
#include "mmn/train/step_loss.h"
#include "mmn/train/training_run.h"
#include "mmn/util/error.h"

namespace mmn {

bool TrainingRun::train_one_step(const TrainingBatch& batch) {
  const ColumnView rows = batch.view();
  const StepLoss step_loss =
      global_step_loss(rows, model_->grid().n_domains(), config_.loss, data_domain_rows_, comm_);
  LossValue loss = backend_->compute_gradients(rows, step_loss.scales);
  if (hooks_.after_gradients) {
    backend_->gradients_to_host();
    hooks_.after_gradients(step_ + 1, *model_, loss);
    backend_->gradients_from_host();
  }
  if (comm_.size() > 1) {
    double parts[3] = {loss.total, loss.ctr, loss.cvr};
    comm_.sum(parts, 3);
    loss = {parts[0], parts[1], parts[2]};
    backend_->exchange_gradients(comm_);
  }
  if (const auto bad = backend_->non_finite_gradient(loss)) {  // the same verdict on every rank
    if (config_.train.on_divergence != "skip_batch") diverged(step_ + 1, *bad);
    ++outcome_.skipped_batches;
    if (++skipped_in_a_row_ > config_.train.max_skipped_batches)
      fail("training diverged at step {}: {} batches in a row had a non-finite loss or gradient (the last: {}); "
           "more than train.max_skipped_batches = {}; the last good checkpoint is {}",
           step_ + 1, skipped_in_a_row_, *bad, config_.train.max_skipped_batches,
           outcome_.last_checkpoint.empty() ? "(none yet)" : outcome_.last_checkpoint);
    if (lead_) {
      fmt::print(stderr, "mmn: warning: step {}: {}; batch skipped (train.on_divergence = skip_batch)\n", step_ + 1,
                 *bad);
      run_dir_->append_metrics({{"kind", "skipped_batch"}, {"step", step_ + 1}, {"tensor", *bad}});
    }
    return false;
  }
  skipped_in_a_row_ = 0;
  backend_->apply_optimizer(optimizer_->next_step());
  ++step_;
  trained_rows_ += step_loss.counts.rows;
  last_loss_ = loss.total;
  interval_.add(loss, step_loss.counts.rows);
  return true;
}

// Pipelined: the batch's step is queued, then the step before it is settled while this one
// computes. A step that logs, checkpoints, validates, evaluates or ends the run is settled at
// once, so that what happens there sees its parameters and nothing after them.
bool TrainingRun::queue_step(const TrainingBatch& batch, Clock::time_point& t0) {
  const ColumnView rows = batch.view();
  const StepLoss step_loss =
      global_step_loss(rows, model_->grid().n_domains(), config_.loss, data_domain_rows_, comm_);
  backend_->queue_step(rows, step_loss.scales, optimizer_->next_step());
  queued_rows_.push_back(step_loss.counts.rows);
  const std::size_t keep = at_boundary(step_ + queued_rows_.size()) ? 0 : 1;
  while (queued_rows_.size() > keep) {
    settle_step();
    train_seconds_ += seconds_since(t0);
    t0 = Clock::now();
    if (after_step()) return true;
  }
  return false;
}

// The oldest queued step's outcome; one found not finite (its update was not applied) ends the run.
void TrainingRun::settle_step() {
  const TrainingBackend::SettledStep done = backend_->settle_step();
  const std::uint64_t rows = queued_rows_.front();
  queued_rows_.pop_front();
  if (done.non_finite) diverged(step_ + 1, *done.non_finite);
  ++step_;
  trained_rows_ += rows;
  last_loss_ = done.loss.total;
  interval_.add(done.loss, rows);
}

bool TrainingRun::at_boundary(std::uint64_t step) const {
  const TrainLoopConfig& t = config_.train;
  return step >= total_steps_ || step % t.log_every == 0 || (t.checkpoint_every > 0 && step % t.checkpoint_every == 0) ||
         validation_due(step) || (test_data_ && t.eval_every > 0 && step % t.eval_every == 0);
}

bool TrainingRun::after_step() {
  const double rate = train_seconds_ > 0 ? static_cast<double>(trained_rows_) / train_seconds_ : 0.0;
  progress_->update(step_, rate, last_loss_);
  if (step_ % config_.train.log_every == 0 || step_ == total_steps_) {
    nlohmann::json record = interval_.record(step_, batches_->position().epoch);
    if (lead_) run_dir_->append_metrics(record);
  }
  if (config_.train.checkpoint_every > 0 && step_ % config_.train.checkpoint_every == 0) save();
  if (validate_and_track()) return true;
  evaluate_periodically();
  return false;
}

bool TrainingRun::validation_due(std::uint64_t step) const {
  if (!validating()) return false;
  return step == total_steps_ || (config_.train.validate_every > 0 ? step % config_.train.validate_every == 0
                                                                   : step % loader_->batches_per_epoch() == 0);
}

bool TrainingRun::validate_and_track() {
  if (!validation_due(step_)) return false;
  const double score = validation_score_now();
  const bool better = best_.observe(step_, score);
  if (lead_)
    run_dir_->append_metrics({{"kind", "validation"},
                              {"step", step_},
                              {"metric", to_string(config_.train.validation_metric)},
                              {"value", std::isfinite(score) ? nlohmann::json(score) : nlohmann::json()},
                              {"best", better}});
  if (better) {
    backend_->parameters_to_host();
    if (lead_) best_.set_checkpoint(best_checkpoints_->save(*model_, *optimizer_, {step_, batches_->position(), {}}));
  }
  if (lead_) write_best(config_.run.dir, config_.train.validation_metric, best_.best());
  if (better || !best_.out_of_patience()) return false;
  outcome_.stopped_early = true;
  if (show_)
    fmt::print("\nstopping early at step {}: no better validation {} in {} validations (best {:.5f} at step {})\n",
               step_, to_string(config_.train.validation_metric), best_.since_best(), best_.best().value,
               best_.best().step);
  return true;
}

void TrainingRun::evaluate_periodically() {
  if (!test_data_ || config_.train.eval_every == 0 || step_ % config_.train.eval_every != 0) return;
  const std::optional<EvalReport> report = evaluate_on(*test_data_);
  if (lead_) append_eval(*report, "test");
}

void TrainingRun::append_eval(const EvalReport& report, const char* split) {
  nlohmann::json line = eval_report_json(report);
  line["kind"] = "eval";
  line["split"] = split;
  line["step"] = step_;
  run_dir_->append_metrics(line);
}

void TrainingRun::save() {
  backend_->parameters_to_host();
  if (const auto bad = non_finite_parameter(*model_)) diverged(step_, *bad + " is not finite after the update");
  outcome_.parameter_checksum = check_replicas_agree(comm_, *model_, step_);
  if (lead_) outcome_.last_checkpoint = checkpoints_->save(*model_, *optimizer_, {step_, batches_->position(), {}});
  comm_.broadcast(outcome_.last_checkpoint, 0);
}

void TrainingRun::diverged(std::uint64_t at_step, const std::string& what) const {
  fail("training diverged at step {}: {}; the last good checkpoint is {}", at_step, what,
       outcome_.last_checkpoint.empty() ? "(none yet)" : outcome_.last_checkpoint);
}

}  // namespace mmn
