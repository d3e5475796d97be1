#include "mmn/train/trainer.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <iostream>
#include <memory>
#include <sstream>
#include <optional>

#include <fmt/format.h>

#include "mmn/backend/divergence.h"
#include "mmn/backend/training_backend.h"
#include "mmn/comm/communicator.h"
#include "mmn/comm/gradient_exchange.h"
#include "mmn/data/dataset.h"
#include "mmn/data/summary.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/model/rare_ids.h"
#include "mmn/ops/blas.h"
#include "mmn/train/batch_loader.h"
#include "mmn/train/checkpoint.h"
#include "mmn/train/plots.h"
#include "mmn/train/progress.h"
#include "mmn/train/report_table.h"
#include "mmn/train/run_directory.h"
#include "mmn/train/validation.h"
#include "mmn/util/build_info.h"
#include "mmn/util/checksum.h"
#include "mmn/util/file_writer.h"
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

// Ranks must train the same model on the same data: rank 0's resolved configuration is
// compared with every rank's own.
void check_same_config_on_every_rank(Communicator& comm, const TrainConfig& config) {
  if (comm.size() == 1) return;
  const std::string mine = to_toml(config);
  std::string lead = mine;
  comm.broadcast(lead, 0);
  std::uint64_t differs = lead != mine ? 1 : 0;
  comm.sum(&differs, 1);
  if (differs == 0) return;
  if (lead != mine) {
    std::istringstream a(lead), b(mine);
    std::string la, lb;
    while (std::getline(a, la) && std::getline(b, lb) && la == lb) {
    }
    fail("rank {}: its configuration differs from rank 0's (rank 0: '{}', here: '{}'); every process must get the "
         "same configuration and --set overrides",
         comm.rank(), la, lb);
  }
  fail("{} of {} processes have a configuration different from rank 0's", differs, comm.size());
}

// A test hook: MMN_TEST_FAIL_ON_RANK=R makes rank R fail after opening the data, as a bad
// shard on that rank would.
void inject_rank_failure(const Communicator& comm) {
  const char* rank = std::getenv("MMN_TEST_FAIL_ON_RANK");
  if (rank != nullptr && std::atoi(rank) == comm.rank())
    fail("rank {}: injected failure (MMN_TEST_FAIL_ON_RANK)", comm.rank());
}

// The checksum of every parameter; under data parallelism every rank's must equal rank 0's.
std::uint64_t check_replicas_agree(Communicator& comm, const MmnModel& model, std::uint64_t step) {
  const std::vector<float>& dense = model.dense().all_values();
  std::uint64_t sum = checksum64(dense.data(), dense.size() * sizeof(float));
  for (const EmbeddingTable& t : model.embeddings())
    sum = sum * 0x9e3779b97f4a7c15ull + checksum64(t.values.data(), t.values.size() * sizeof(float));
  if (comm.size() == 1) return sum;
  std::string lead(reinterpret_cast<const char*>(&sum), sizeof sum);
  comm.broadcast(lead, 0);
  std::uint64_t differs = std::memcmp(lead.data(), &sum, sizeof sum) != 0 ? 1 : 0;
  comm.sum(&differs, 1);
  if (differs != 0)
    fail("after step {} the parameters of {} of {} processes differ from rank 0's; data-parallel replicas must stay "
         "identical",
         step, differs, comm.size());
  return sum;
}

// N^d over the whole training data (rows in ctcvr mode, clicks in clicked mode) when the loss
// weights domains by it; empty otherwise. Every rank counts the whole data set.
std::vector<std::uint64_t> loss_rows_per_domain(const Dataset& data, const LossOptions& loss, ThreadPool& pool) {
  if (!loss.dynamic_weight || loss.dynamic_weight_counts != DomainCountSource::data) return {};
  const DataSummary summary = summarize(data, &pool);
  std::vector<std::uint64_t> rows;
  for (const DomainStats& d : summary.domains) rows.push_back(loss.cvr_mode == CvrMode::clicked ? d.clicks : d.rows);
  return rows;
}

// The best validation score so far and its checkpoint (rank 0's path).
struct BestSoFar {
  std::uint64_t step = 0;  // 0: none yet
  double value = 0.0;
  std::string checkpoint;
};

void write_best(const std::string& run_dir, ValidationMetric metric, const BestSoFar& best) {
  const nlohmann::json j = {{"metric", to_string(metric)}, {"step", best.step}, {"value", best.value},
                            {"checkpoint", best.checkpoint}};
  write_file_atomically((fs::path(run_dir) / "checkpoints" / kBestCheckpointDir / "best.json").string(),
                        j.dump(2) + "\n");
}

// A resumed run goes on from the best it had found; rank 0 reads it, the others get it.
BestSoFar read_best(const std::string& run_dir, Communicator& comm) {
  std::string text;
  if (comm.rank() == 0) {
    std::ifstream in(fs::path(run_dir) / "checkpoints" / kBestCheckpointDir / "best.json");
    if (in) text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  comm.broadcast(text, 0);
  if (text.empty()) return {};
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    return {j.at("step").get<std::uint64_t>(), j.at("value").get<double>(), j.at("checkpoint").get<std::string>()};
  } catch (const nlohmann::json::exception& e) {
    fail("{}/checkpoints/{}/best.json: not a best-checkpoint record: {}", run_dir, kBestCheckpointDir, e.what());
  }
}

// Where the run ran: host, CPU, threads and the BLAS kernels in use.
nlohmann::json machine_json(std::size_t threads) {
  const blas::LibraryInfo& blas = blas::library_info();
  nlohmann::json b = {{"library", blas.path},       {"config", blas.config},     {"core", blas.core},
                      {"core_chosen_by", blas.core_chosen_by}, {"cpu_simd", blas.cpu_simd}};
  if (!blas.warning.empty()) b["warning"] = blas.warning;
  return {{"host", host_name()}, {"cpu_model", cpu_model()}, {"threads", threads}, {"blas", b}};
}

}  // namespace

TrainOutcome train(const TrainConfig& config, const TrainOptions& options, const TrainHooks& hooks,
                   Communicator* job) {
  const Clock::time_point started = Clock::now();
  std::unique_ptr<Communicator> single;
  Communicator& comm = job != nullptr ? *job : *(single = make_local_communicator());
  const bool lead = comm.rank() == 0;  // logs, writes the run directory and checkpoints
  resolve_device(config.train.device);
  check_same_config_on_every_rank(comm, config);
  if (config.train.batch_size < static_cast<std::uint32_t>(comm.size()))
    fail("train.batch_size = {} is the global batch and cannot be shared by {} processes", config.train.batch_size,
         comm.size());
  blas::library_info();  // loads OpenBLAS here, on this thread, before any worker runs a GEMM
  ThreadPool pool(config.train.threads > 0 ? config.train.threads : ThreadPool::default_threads());
  const Dataset train_data = Dataset::open(config.data.train, Verify::full, &pool);
  std::optional<Dataset> test_data, heldout_data;
  if (!config.data.test.empty()) test_data = Dataset::open(config.data.test, Verify::full, &pool);
  if (!config.data.heldout.empty()) heldout_data = Dataset::open(config.data.heldout, Verify::full, &pool);
  if (test_data) require_same_domains(train_data, *test_data);
  if (heldout_data) require_same_domains(train_data, *heldout_data);
  inject_rank_failure(comm);

  std::optional<RunDirectory> run;
  std::optional<CheckpointDirectory> checkpoints;
  if (lead) {
    prepare_run_dir(config.run.dir, options);
    run.emplace(config.run.dir);
    run->write_config(config);
    checkpoints.emplace((fs::path(config.run.dir) / "checkpoints").string(), config.train.keep_checkpoints);
  }

  MmnModel model(config.model, train_data.schema(), config.train.seed);
  Optimizer optimizer(config.optimizer, model);
  const ValidationSplit split = split_validation(train_data, config.train.validation_fraction);
  const bool validating = split.rows.rows() > 0;
  BatchLoader loader(train_data, config.train.batch_size, config.train.seed, config.train.shuffle_window,
                     static_cast<std::uint32_t>(comm.rank()), static_cast<std::uint32_t>(comm.size()),
                     split.train_groups);
  std::optional<CheckpointDirectory> best_checkpoints;
  if (lead && validating)
    best_checkpoints.emplace((fs::path(config.run.dir) / "checkpoints" / kBestCheckpointDir).string(), 1);
  BestSoFar best;
  if (options.resume && validating) best = read_best(config.run.dir, comm);

  TrainOutcome outcome;
  std::uint64_t step = 0;
  if (options.resume) {
    // Rank 0 picks the newest checkpoint that reads back; a corrupt one is skipped (and said
    // so), one that does not fit this configuration is an error. The other ranks read it too.
    std::string chosen;
    if (lead) {
      const std::vector<std::string> found = checkpoints->list();
      for (const auto& path : found) {
        try {
          const CheckpointState state = read_checkpoint(path, model, optimizer);
          chosen = path;
          if (path != found.front())
            fmt::print(stderr,
                       "mmn: warning: the newest checkpoint is unreadable; resuming from the previous good one, {} "
                       "(step {})\n",
                       path, state.step);
          break;
        } catch (const CheckpointMismatch&) {
          throw;
        } catch (const Error& e) {
          fmt::print(stderr, "mmn: warning: skipping unreadable checkpoint: {}\n", e.what());
          model = MmnModel(config.model, train_data.schema(), config.train.seed);
          optimizer = Optimizer(config.optimizer, model);
        }
      }
      if (chosen.empty() && !found.empty())
        fail("{}: none of its {} checkpoints could be read; nothing to resume from", config.run.dir, found.size());
      if (chosen.empty() && !options.quiet) fmt::print("no checkpoint in {}: starting from step 0\n", config.run.dir);
    }
    comm.broadcast(chosen, 0);
    if (!chosen.empty()) {
      const CheckpointState state = read_checkpoint(chosen, model, optimizer);
      loader.seek(state.position);
      step = state.step;
      outcome.last_checkpoint = chosen;
      if (lead && !options.quiet) fmt::print("resuming from {} (step {})\n", chosen, step);
    }
    if (lead) run->resume_metrics_at(step);
  }

  // Rare categorical values' shared rows, fitted to the training data (a resumed run fits the
  // same maps its checkpoint holds).
  const std::vector<std::uint64_t> rare = fit_rare_id_maps(model, train_data, pool);
  if (lead && !options.quiet && config.model.min_id_count > 1) {
    std::uint64_t total = 0;
    for (const std::uint64_t r : rare) total += r;
    fmt::print("{} categorical values seen fewer than {} times share their field's out-of-vocabulary row\n", total,
               config.model.min_id_count);
  }
  ColumnBlock validation_rows = split.rows;
  map_rare_ids(model, validation_rows);

  // Parameters and optimizer state, from a checkpoint or fresh, go to the backend from the host model.
  const std::uint32_t share = (config.train.batch_size + static_cast<std::uint32_t>(comm.size()) - 1) /
                              static_cast<std::uint32_t>(comm.size());
  const std::unique_ptr<TrainingBackend> backend = make_backend(
      config.train.device, {model, optimizer, pool, std::max(share, config.train.eval_batch_size), local_rank(), &comm});
  if (lead && !options.quiet) fmt::print("backend: {}\n", backend->description());

  const std::uint64_t total_steps =
      config.train.max_steps > 0 ? config.train.max_steps : std::uint64_t{config.train.epochs} * loader.batches_per_epoch();
  optimizer.set_total_steps(total_steps);
  const LossOptions& loss_options = config.loss;
  std::ostream discard(nullptr);
  const bool show = lead && !options.quiet;
  Progress progress(total_steps, show ? std::cout : discard, show && ::isatty(STDOUT_FILENO) != 0,
                    config.train.log_every, step);

  // Every rank predicts its share of the batches; rank 0 evaluates (the others get nothing).
  auto evaluate_on = [&](const Dataset& data) -> std::optional<EvalReport> {
    const Predictions p = predict(
        with_rare_ids_mapped(model,
                             [&](const ColumnView& rows, float* ctr, float* cvr) { backend->forward(rows, ctr, cvr); }),
        data, config.train.eval_batch_size, &comm);
    if (!lead) return std::nullopt;
    return evaluate(data, p);
  };
  auto diverged = [&](std::uint64_t at_step, const std::string& what) {
    fail("training diverged at step {}: {}; the last good checkpoint is {}", at_step, what,
         outcome.last_checkpoint.empty() ? "(none yet)" : outcome.last_checkpoint);
  };
  // The loop reads one batch ahead and hands it to the backend, which may copy it in while it
  // works on the current one (the CUDA backend does). Checkpoints record the position after
  // the current batch, not after the one read ahead.
  ColumnBlock batch, next_batch;
  bool next_ready = false, at_epoch_end = false;
  LoaderPosition after_batch, after_next;
  auto position = [&] { return next_ready ? after_batch : loader.position(); };
  auto save = [&] {
    backend->parameters_to_host();
    if (const auto bad = non_finite_parameter(model)) diverged(step, *bad + " is not finite after the update");
    outcome.parameter_checksum = check_replicas_agree(comm, model, step);
    if (lead) outcome.last_checkpoint = checkpoints->save(model, optimizer, {step, position(), {}});
    comm.broadcast(outcome.last_checkpoint, 0);
  };
  const bool skip_diverged = config.train.on_divergence == "skip_batch";

  // Every rank scores all validation rows (the parameters are the same everywhere), so every
  // rank reaches the same verdict without a message.
  auto validate = [&]() -> double {
    const ColumnView rows = view_of(validation_rows);
    const Predictions p = predict_rows(
        [&](const ColumnView& part, float* ctr, float* cvr) { backend->forward(part, ctr, cvr); }, rows,
        config.train.eval_batch_size);
    return validation_score(config.train.validation_metric, rows, p.p_ctr, p.p_cvr, train_data.schema().n_scenarios,
                            train_data.schema().n_domains());
  };
  bool stopped_early = false;
  std::uint32_t since_best = 0;
  std::uint32_t skipped_in_a_row = 0;

  std::vector<std::uint32_t> domain;
  const std::vector<std::uint64_t> data_domain_rows = loss_rows_per_domain(train_data, loss_options, pool);
  double interval_loss = 0, interval_ctr = 0, interval_cvr = 0;
  std::uint64_t interval_steps = 0, interval_rows = 0, trained_rows = 0;
  double train_seconds = 0;
  auto interval_start = Clock::now();
  while (step < total_steps) {
    const auto t0 = Clock::now();
    if (next_ready) {
      std::swap(batch, next_batch);
      after_batch = after_next;
      next_ready = false;
    } else if (at_epoch_end || !loader.next(batch)) {  // every rank reaches an epoch's end at the same batch
      at_epoch_end = false;
      if (config.train.max_steps == 0 && loader.position().epoch >= config.train.epochs) break;
      continue;
    } else {
      after_batch = loader.position();
      map_rare_ids(model, batch);
    }
    if (step + 1 < total_steps) {
      next_ready = loader.next(next_batch);
      at_epoch_end = !next_ready;
      if (next_ready) {
        map_rare_ids(model, next_batch);
        after_next = loader.position();
        backend->prefetch(view_of(next_batch));
      }
    }
    const ColumnView rows = view_of(batch);
    model.domains_of(rows, domain);
    LossCounts counts =
        count_loss_rows(rows.click, domain.data(), rows.rows, model.grid().n_domains(), loss_options.cvr_mode);
    sum_loss_counts(comm, counts);  // the global batch's N and N^d
    counts.data_domain = data_domain_rows;
    LossValue loss = backend->compute_gradients(rows, counts, loss_options);
    if (hooks.after_gradients) hooks.after_gradients(step + 1, model, loss);
    if (comm.size() > 1) {
      double parts[3] = {loss.total, loss.ctr, loss.cvr};
      comm.sum(parts, 3);
      loss = {parts[0], parts[1], parts[2]};
      backend->exchange_gradients(comm);
    }
    if (const auto bad = backend->non_finite_gradient(loss)) {  // the same verdict on every rank
      if (!skip_diverged) diverged(step + 1, *bad);
      ++outcome.skipped_batches;
      if (++skipped_in_a_row > config.train.max_skipped_batches)
        fail("training diverged at step {}: {} batches in a row had a non-finite loss or gradient (the last: {}); "
             "more than train.max_skipped_batches = {}; the last good checkpoint is {}",
             step + 1, skipped_in_a_row, *bad, config.train.max_skipped_batches,
             outcome.last_checkpoint.empty() ? "(none yet)" : outcome.last_checkpoint);
      if (lead) {
        fmt::print(stderr, "mmn: warning: step {}: {}; batch skipped (train.on_divergence = skip_batch)\n", step + 1,
                   *bad);
        run->append_metrics({{"kind", "skipped_batch"}, {"step", step + 1}, {"tensor", *bad}});
      }
      train_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
      continue;
    }
    skipped_in_a_row = 0;
    backend->apply_optimizer();
    ++step;
    train_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    trained_rows += counts.rows;
    interval_loss += loss.total, interval_ctr += loss.ctr, interval_cvr += loss.cvr;
    interval_steps += 1, interval_rows += counts.rows;

    const double rate = train_seconds > 0 ? static_cast<double>(trained_rows) / train_seconds : 0.0;
    progress.update(step, rate, loss.total);
    if (step % config.train.log_every == 0 || step == total_steps) {
      const double seconds = std::chrono::duration<double>(Clock::now() - interval_start).count();
      if (lead)
        run->append_metrics({{"kind", "train"},
                             {"step", step},
                             {"epoch", position().epoch},
                             {"loss", interval_loss / static_cast<double>(interval_steps)},
                             {"ctr_loss", interval_ctr / static_cast<double>(interval_steps)},
                             {"cvr_loss", interval_cvr / static_cast<double>(interval_steps)},
                             {"samples_per_second", seconds > 0 ? static_cast<double>(interval_rows) / seconds : 0.0}});
      interval_loss = interval_ctr = interval_cvr = 0;
      interval_steps = interval_rows = 0;
      interval_start = Clock::now();
    }
    if (config.train.checkpoint_every > 0 && step % config.train.checkpoint_every == 0) save();
    const bool validation_due =
        validating && (step == total_steps || (config.train.validate_every > 0
                                                   ? step % config.train.validate_every == 0
                                                   : step % loader.batches_per_epoch() == 0));
    if (validation_due) {
      const double score = validate();
      const bool better = std::isfinite(score) && (best.step == 0 || score > best.value);
      if (lead)
        run->append_metrics({{"kind", "validation"},
                             {"step", step},
                             {"metric", to_string(config.train.validation_metric)},
                             {"value", std::isfinite(score) ? nlohmann::json(score) : nlohmann::json()},
                             {"best", better}});
      if (better) {
        best = {step, score, ""};
        since_best = 0;
        backend->parameters_to_host();
        if (lead) {
          best.checkpoint = best_checkpoints->save(model, optimizer, {step, position(), {}});
          write_best(config.run.dir, config.train.validation_metric, best);
        }
      } else if (config.train.early_stopping_patience > 0 && ++since_best >= config.train.early_stopping_patience) {
        stopped_early = true;
        if (lead && !options.quiet)
          fmt::print("\nstopping early at step {}: no better validation {} in {} validations (best {:.5f} at step {})\n",
                     step, to_string(config.train.validation_metric), since_best, best.value, best.step);
        break;
      }
    }
    if (test_data && config.train.eval_every > 0 && step % config.train.eval_every == 0) {
      const std::optional<EvalReport> report = evaluate_on(*test_data);
      if (lead) {
        nlohmann::json line = eval_report_json(*report);
        line["kind"] = "eval";
        line["split"] = "test";
        line["step"] = step;
        run->append_metrics(line);
      }
    }
  }
  progress.finish();
  outcome.steps = step;
  outcome.samples_per_second = train_seconds > 0 ? static_cast<double>(trained_rows) / train_seconds : 0.0;
  save();
  // The run's model is its best by the validation metric: every rank loads that checkpoint.
  if (validating && best.step != 0 && best.step != step) {
    std::string path = best.checkpoint;
    comm.broadcast(path, 0);
    read_checkpoint(path, model, optimizer);
    backend->parameters_from_host();
  }
  outcome.best_step = validating ? best.step : 0;
  outcome.stopped_early = stopped_early;
  if (test_data) outcome.test = evaluate_on(*test_data);
  if (heldout_data) outcome.heldout = evaluate_on(*heldout_data);
  if (!lead) return outcome;

  nlohmann::json summary = {{"steps", step},
                            {"samples_per_second", outcome.samples_per_second},
                            {"model", config.model.label()},
                            {"last_checkpoint", outcome.last_checkpoint},
                            {"skipped_batches", outcome.skipped_batches},
                            {"ranks", comm.size()},
                            {"backend", backend->description()},
                            {"parameter_checksum", fmt::format("{:016x}", outcome.parameter_checksum)},
                            {"git_commit", git_commit()},
                            {"machine", machine_json(pool.size())}};
  if (validating)
    summary["validation"] = {{"metric", to_string(config.train.validation_metric)},
                             {"rows", split.rows.rows()},
                             {"best_step", best.step},
                             {"best_value", best.step != 0 ? nlohmann::json(best.value) : nlohmann::json()},
                             {"stopped_early", stopped_early}};
  const Dictionaries& names = train_data.dictionaries();
  if (outcome.test) {
    run->write_domain_report("test", *outcome.test, names, train_data.schema().n_scenarios);
    nlohmann::json line = eval_report_json(*outcome.test);
    line["kind"] = "eval";
    line["split"] = "test";
    line["step"] = step;
    run->append_metrics(line);
    summary["test"] = eval_report_json(*outcome.test);
  }
  if (outcome.heldout) {
    run->write_domain_report("heldout", *outcome.heldout, names, train_data.schema().n_scenarios);
    summary["heldout"] = eval_report_json(*outcome.heldout);
  }
  summary["wall_seconds"] = std::chrono::duration<double>(Clock::now() - started).count();
  run->write_summary(summary);
  if (config.run.plots)
    write_plots(config.run.dir, outcome.test ? &*outcome.test : nullptr, names, train_data.schema().n_types,
                train_data.schema().n_scenarios);
  if (!options.quiet) {
    fmt::print("{} steps, {:.0f} samples/s{}; run directory {}\n", step, outcome.samples_per_second,
               comm.size() > 1 ? fmt::format(" over {} processes", comm.size()) : "", config.run.dir);
    if (outcome.test) fmt::print("{}", format_eval_table("test", {{config.model.label(), *outcome.test}}));
    if (outcome.heldout)
      fmt::print("{}", format_eval_table("held-out combinations (zero-shot)", {{config.model.label(), *outcome.heldout}}));
  }
  return outcome;
}

}  // namespace mmn
