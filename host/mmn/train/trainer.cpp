#include "mmn/train/trainer.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "mmn/data/dataset.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/train/batch_loader.h"
#include "mmn/train/checkpoint.h"
#include "mmn/train/plots.h"
#include "mmn/train/progress.h"
#include "mmn/train/report_table.h"
#include "mmn/train/run_directory.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

void require_same_domains(const Dataset& train, const Dataset& other) {
  Schema a = train.schema(), b = other.schema();
  a.has_truth = b.has_truth = false;
  if (a != b)
    fail("{}: its schema differs from the training data's ({}): fields, vocabularies and domains must match",
         other.path(), train.path());
  if (train.dictionaries().types != other.dictionaries().types ||
      train.dictionaries().scenarios != other.dictionaries().scenarios)
    fail("{}: its type or scenario dictionary differs from the training data's ({}); ingest it with "
         "--dictionaries-from {}",
         other.path(), train.path(), train.path());
}

void check_device(const std::string& device) {
  if (device == "cpu" || device == "auto") return;
  if (device == "cuda") fail("train.device = \"cuda\": the CUDA backend is not part of this build yet; use cpu or auto");
  fail("train.device must be cpu, cuda or auto (got '{}')", device);
}

bool all_finite(const std::vector<float>& v) {
  float sum = 0.0f;
  for (const float x : v) sum += x * 0.0f;  // NaN or Inf anywhere makes the sum NaN
  return !std::isnan(sum);
}

void prepare_run_dir(const std::string& dir, const TrainOptions& options) {
  const bool has_run = fs::exists(fs::path(dir) / "metrics.jsonl") || fs::exists(fs::path(dir) / "checkpoints");
  if (!has_run) return;
  if (options.resume) return;
  if (!options.overwrite)
    fail("{}: holds an earlier run; pass --resume to continue it or --overwrite to replace it", dir);
  for (const char* name : {"metrics.jsonl", "checkpoints", "summary.json", "plots"}) {
    std::error_code ignored;
    fs::remove_all(fs::path(dir) / name, ignored);
  }
}

}  // namespace

TrainOutcome train(const TrainConfig& config, const TrainOptions& options) {
  check_device(config.train.device);
  ThreadPool pool(config.train.threads > 0 ? config.train.threads : ThreadPool::default_threads());
  const Dataset train_data = Dataset::open(config.data.train, Verify::full, &pool);
  std::optional<Dataset> test_data, heldout_data;
  if (!config.data.test.empty()) test_data = Dataset::open(config.data.test, Verify::full, &pool);
  if (!config.data.heldout.empty()) heldout_data = Dataset::open(config.data.heldout, Verify::full, &pool);
  if (test_data) require_same_domains(train_data, *test_data);
  if (heldout_data) require_same_domains(train_data, *heldout_data);

  prepare_run_dir(config.run.dir, options);
  RunDirectory run(config.run.dir);
  run.write_config(config);

  MmnModel model(config.model, train_data.schema(), config.train.seed);
  Optimizer optimizer(config.optimizer, model);
  BatchLoader loader(train_data, config.train.batch_size, config.train.seed, config.train.shuffle_window);
  CheckpointDirectory checkpoints((fs::path(config.run.dir) / "checkpoints").string(), config.train.keep_checkpoints);

  TrainOutcome outcome;
  std::uint64_t step = 0;
  if (options.resume) {
    // The newest checkpoint that reads back; a corrupt one is skipped (and said so), one
    // that does not fit this configuration is an error.
    const std::vector<std::string> found = checkpoints.list();
    bool resumed = false;
    for (const auto& path : found) {
      try {
        const CheckpointState state = read_checkpoint(path, model, optimizer);
        loader.seek(state.position);
        step = state.step;
        outcome.last_checkpoint = path;
        resumed = true;
        if (!options.quiet) fmt::print("resuming from {} (step {})\n", path, step);
        break;
      } catch (const CheckpointMismatch&) {
        throw;
      } catch (const Error& e) {
        fmt::print(stderr, "mmn: warning: skipping unreadable checkpoint: {}\n", e.what());
        model = MmnModel(config.model, train_data.schema(), config.train.seed);
        optimizer = Optimizer(config.optimizer, model);
      }
    }
    if (!resumed && !found.empty())
      fail("{}: none of its {} checkpoints could be read; nothing to resume from", config.run.dir, found.size());
    if (!resumed && !options.quiet) fmt::print("no checkpoint in {}: starting from step 0\n", config.run.dir);
  }

  const std::uint64_t total_steps =
      config.train.max_steps > 0 ? config.train.max_steps : std::uint64_t{config.train.epochs} * loader.batches_per_epoch();
  const LossOptions& loss_options = config.loss;
  std::ostream discard(nullptr);
  Progress progress(total_steps, options.quiet ? discard : std::cout, !options.quiet && ::isatty(STDOUT_FILENO) != 0,
                    config.train.log_every, step);

  auto evaluate_on = [&](const Dataset& data) {
    return evaluate(data, predict(model, data, config.train.eval_batch_size, pool));
  };
  auto save = [&] {
    outcome.last_checkpoint = checkpoints.save(model, optimizer, {step, loader.position(), {}});
  };

  ColumnBlock batch;
  std::vector<std::uint32_t> domain;
  double interval_loss = 0, interval_ctr = 0, interval_cvr = 0;
  std::uint64_t interval_steps = 0, interval_rows = 0, trained_rows = 0;
  double train_seconds = 0;
  auto interval_start = Clock::now();
  while (step < total_steps) {
    const auto t0 = Clock::now();
    if (!loader.next(batch)) {
      if (config.train.max_steps == 0 && loader.position().epoch >= config.train.epochs) break;
      continue;
    }
    const ColumnView rows = view_of(batch);
    model.domains_of(rows, domain);
    const LossCounts counts =
        count_loss_rows(rows.click, domain.data(), rows.rows, model.grid().n_domains(), loss_options.cvr_mode);
    const LossValue loss = model.compute_gradients(rows, counts, loss_options, pool);
    if (!std::isfinite(loss.total) || !all_finite(model.dense().all_grads()))
      fail("training diverged at step {}: the {} is not finite (loss {}); the last good checkpoint is {}", step + 1,
           std::isfinite(loss.total) ? "gradient of the dense parameters" : "loss", loss.total,
           outcome.last_checkpoint.empty() ? "(none yet)" : outcome.last_checkpoint);
    optimizer.step(model, pool);
    ++step;
    train_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    trained_rows += rows.rows;
    interval_loss += loss.total, interval_ctr += loss.ctr, interval_cvr += loss.cvr;
    interval_steps += 1, interval_rows += rows.rows;

    const double rate = train_seconds > 0 ? static_cast<double>(trained_rows) / train_seconds : 0.0;
    progress.update(step, rate, loss.total);
    if (step % config.train.log_every == 0 || step == total_steps) {
      const double seconds = std::chrono::duration<double>(Clock::now() - interval_start).count();
      run.append_metrics({{"kind", "train"},
                          {"step", step},
                          {"epoch", loader.position().epoch},
                          {"loss", interval_loss / static_cast<double>(interval_steps)},
                          {"ctr_loss", interval_ctr / static_cast<double>(interval_steps)},
                          {"cvr_loss", interval_cvr / static_cast<double>(interval_steps)},
                          {"samples_per_second", seconds > 0 ? static_cast<double>(interval_rows) / seconds : 0.0}});
      interval_loss = interval_ctr = interval_cvr = 0;
      interval_steps = interval_rows = 0;
      interval_start = Clock::now();
    }
    if (config.train.checkpoint_every > 0 && step % config.train.checkpoint_every == 0) save();
    if (test_data && config.train.eval_every > 0 && step % config.train.eval_every == 0) {
      nlohmann::json line = eval_report_json(evaluate_on(*test_data));
      line["kind"] = "eval";
      line["split"] = "test";
      line["step"] = step;
      run.append_metrics(line);
    }
  }
  progress.finish();
  outcome.steps = step;
  outcome.samples_per_second = train_seconds > 0 ? static_cast<double>(trained_rows) / train_seconds : 0.0;
  save();

  nlohmann::json summary = {{"steps", step},
                            {"samples_per_second", outcome.samples_per_second},
                            {"model", config.model.label()},
                            {"last_checkpoint", outcome.last_checkpoint}};
  const Dictionaries& names = train_data.dictionaries();
  if (test_data) {
    outcome.test = evaluate_on(*test_data);
    run.write_domain_report("test", *outcome.test, names, train_data.schema().n_scenarios);
    nlohmann::json line = eval_report_json(*outcome.test);
    line["kind"] = "eval";
    line["split"] = "test";
    line["step"] = step;
    run.append_metrics(line);
    summary["test"] = eval_report_json(*outcome.test);
  }
  if (heldout_data) {
    outcome.heldout = evaluate_on(*heldout_data);
    run.write_domain_report("heldout", *outcome.heldout, names, train_data.schema().n_scenarios);
    summary["heldout"] = eval_report_json(*outcome.heldout);
  }
  run.write_summary(summary);
  if (config.run.plots)
    write_plots(config.run.dir, outcome.test ? &*outcome.test : nullptr, names, train_data.schema().n_types,
                train_data.schema().n_scenarios);
  if (!options.quiet) {
    fmt::print("{} steps, {:.0f} samples/s; run directory {}\n", step, outcome.samples_per_second, config.run.dir);
    if (outcome.test) fmt::print("{}", format_eval_table("test", {{config.model.label(), *outcome.test}}));
    if (outcome.heldout)
      fmt::print("{}", format_eval_table("held-out combinations (zero-shot)", {{config.model.label(), *outcome.heldout}}));
  }
  return outcome;
}

}  // namespace mmn
