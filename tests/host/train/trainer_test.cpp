#include "mmn/train/trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <filesystem>
#include <fstream>

#include "mmn/metrics/auc.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/synth/synthesize.h"
#include "mmn/train/checkpoint.h"
#include "mmn/train/run_loader.h"
#include <nlohmann/json.hpp>
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"
#include "testing/error_of.h"
#include "testing/temp_dir.h"
#include "testing/tiny_data.h"
#include "host/train/trainer_fixture.h"

namespace mmn {
namespace {

namespace fs = std::filesystem;

using testing::Loaded;
using testing::load;
using testing::make_tiny_data;
using testing::metric_records;
using testing::tiny_config;


TEST(Trainer, ResumedRunEqualsUninterruptedRunBitwise) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 20000, 3, 0);
  TrainConfig straight = tiny_config(data, tmp / "straight");
  straight.train.max_steps = 40;
  straight.train.checkpoint_every = 1000;
  const TrainOutcome a = train(straight, {false, false, true});
  EXPECT_EQ(a.steps, 40u);

  TrainConfig half = tiny_config(data, tmp / "halves");
  half.train.max_steps = 20;
  train(half, {false, false, true});
  half.train.max_steps = 40;
  const TrainOutcome b = train(half, {true, false, true});
  EXPECT_EQ(b.steps, 40u);

  const Schema schema = Dataset::open(data + "/train").schema();
  const Loaded x = load(straight, a.last_checkpoint, schema), y = load(half, b.last_checkpoint, schema);
  EXPECT_EQ(x.state.step, 40u);
  EXPECT_EQ(x.state.position, y.state.position);
  EXPECT_EQ(x.model->dense().all_values(), y.model->dense().all_values());
  for (std::size_t t = 0; t < x.model->embeddings().size(); ++t)
    EXPECT_EQ(x.model->embeddings()[t].values, y.model->embeddings()[t].values);
  EXPECT_EQ(x.optimizer->dense_state(), y.optimizer->dense_state());
}

TEST(Trainer, RefusesToReuseARunDirectoryWithoutResumeOrOverwrite) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 5000, 4, 0);
  TrainConfig c = tiny_config(data, tmp / "run");
  c.train.max_steps = 3;
  train(c, {false, false, true});
  std::string message;
  try {
    train(c, {false, false, true});
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("holds an earlier run; pass --resume"), std::string::npos) << message;
  EXPECT_EQ(train(c, {false, true, true}).steps, 3u);
}

TEST(Trainer, ResumeSkipsACorruptNewestCheckpointAndStillMatchesTheUninterruptedRun) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 20000, 6, 0);
  TrainConfig straight = tiny_config(data, tmp / "straight");
  straight.train.max_steps = 30;
  const TrainOutcome a = train(straight, {false, false, true});

  TrainConfig c = tiny_config(data, tmp / "run");
  c.train.max_steps = 20;
  c.train.checkpoint_every = 10;
  train(c, {false, false, true});
  const auto kept = CheckpointDirectory(tmp / "run/checkpoints", 3).list();
  ASSERT_EQ(kept.size(), 2u);  // steps 20 and 10
  fs::resize_file(kept.front(), fs::file_size(kept.front()) / 2);
  c.train.max_steps = 30;
  const TrainOutcome b = train(c, {true, false, true});
  EXPECT_EQ(b.steps, 30u);
  const Schema schema = Dataset::open(data + "/train").schema();
  const Loaded x = load(straight, a.last_checkpoint, schema), y = load(c, b.last_checkpoint, schema);
  EXPECT_EQ(x.model->dense().all_values(), y.model->dense().all_values());
  for (std::size_t t = 0; t < x.model->embeddings().size(); ++t)
    EXPECT_EQ(x.model->embeddings()[t].values, y.model->embeddings()[t].values);
  // Steps 11-20 ran twice; their records are in metrics.jsonl once, as in the straight run.
  const std::vector<std::string> records = metric_records(tmp / "run");
  EXPECT_EQ(records, metric_records(tmp / "straight"));
  EXPECT_EQ(std::count(records.begin(), records.end(), "train@15"), 1);
}

TEST(Trainer, SummaryRecordsCommitMachineBlasKernelsAndWallTime) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 5000, 8, 0);
  TrainConfig c = tiny_config(data, tmp / "run");
  c.train.max_steps = 3;
  train(c, {false, false, true});
  std::ifstream in(tmp / "run/summary.json");
  const nlohmann::json summary = nlohmann::json::parse(in);
  EXPECT_FALSE(summary.at("git_commit").get<std::string>().empty());
  EXPECT_GT(summary.at("wall_seconds").get<double>(), 0.0);
  const nlohmann::json& machine = summary.at("machine");
  EXPECT_FALSE(machine.at("cpu_model").get<std::string>().empty());
  EXPECT_GE(machine.at("threads").get<int>(), 1);
  EXPECT_NE(machine.at("blas").at("config").get<std::string>().find("OpenBLAS"), std::string::npos);
  EXPECT_FALSE(machine.at("blas").at("core").get<std::string>().empty());
}

TEST(Trainer, ResumingWithAnotherModelIsAnErrorNotAFreshStart) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 5000, 7, 0);
  TrainConfig c = tiny_config(data, tmp / "run");
  c.train.max_steps = 3;
  train(c, {false, false, true});
  c.model.kind = ModelKind::star;
  c.train.max_steps = 6;
  std::string message;
  try {
    train(c, {true, false, true});
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("holds a 'mmn' model, the configuration builds 'star'"), std::string::npos) << message;
}


// The whole pipeline learns: on the tiny preset (1M rows, 1 epoch, configs/tiny.toml's
// model), MMN's CVR AUC and mean per-domain CVR AUC come within a stated gap of the
// oracle's. Over data seeds 1-5 with the defaults (perf/accuracy/tiny_margins.sh) the gaps were
// 0.004-0.013 (CVR AUC on clicked rows; 0.006 for seed 1, the test's) and 0.011-0.071 (mean
// per-domain CVR AUC; 0.037); the bounds leave room above the worst seed.
// A model that learned nothing sits near 0.5, 0.4 below the oracle.
TEST(Trainer, TinyPresetComesWithinAStatedGapOfTheOracle) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 1000000, 1, 0);
  TrainConfig c = load_train_config(std::string(MMN_SOURCE_DIR) + "/configs/tiny.toml", {});
  c.data.train = data + "/train";
  c.data.test = data + "/test";
  c.data.heldout.clear();
  c.train.epochs = 1;
  c.run.dir = tmp / "run";
  c.run.plots = false;
  const TrainOutcome o = train(c, {false, false, true});
  ASSERT_TRUE(o.test.has_value());
  ASSERT_TRUE(o.test->oracle.has_value());
  const EvalReport& r = *o.test;
  EXPECT_LT(r.oracle->cvr_auc - r.cvr_auc, 0.02) << "model " << r.cvr_auc << ", oracle " << r.oracle->cvr_auc;
  EXPECT_GE(r.domain_cvr.scored, 4u);
  EXPECT_LT(r.oracle->domain_cvr.mean - r.domain_cvr.mean, 0.09)
      << "model " << r.domain_cvr.mean << ", oracle " << r.oracle->domain_cvr.mean;
}
LoadedRun expect_loaded_run_reproduces(const TrainOutcome& o, const std::string& data, const std::string& run_dir) {
  const Dataset test = Dataset::open(data + "/test");
  LoadedRun run = load_run(run_dir, "", test.schema());
  ThreadPool pool(2);
  const EvalReport again = evaluate(test, predict(*run.model, test, run.config.train.eval_batch_size, pool));
  EXPECT_TRUE(o.test.has_value());
  if (o.test) {
    EXPECT_EQ(again.cvr_auc, o.test->cvr_auc);
    EXPECT_EQ(again.ctr_auc, o.test->ctr_auc);
  }
  return run;
}

// With a validation split the run scores the held-out groups every validate_every steps, keeps
// the best parameters apart and ends with them; patience stops it after that many validations
// without a new best. The figures it reports are those of the best checkpoint.
TEST(Trainer, ValidationKeepsTheBestParametersAndStopsEarly) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 300000, 5, 0);
  TrainConfig c = tiny_config(data, tmp / "run");
  c.optimizer.adam.lr = 0.03f;  // large enough that validation scores go down as well as up
  c.train.max_steps = 300;
  c.train.validation_fraction = 0.2f;
  c.train.validate_every = 10;
  c.train.early_stopping_patience = 3;
  // Here (seed 5, 2 threads) the best comes at step 50 and the run stops at 80: both the early
  // stop and the return to an earlier checkpoint are exercised; the checks hold either way.
  const TrainOutcome o = train(c, {false, false, true});

  std::vector<std::pair<std::uint64_t, double>> scores;
  std::ifstream metrics(fs::path(tmp / "run") / "metrics.jsonl");
  for (std::string line; std::getline(metrics, line);) {
    const nlohmann::json j = nlohmann::json::parse(line);
    if (j["kind"] == "validation") scores.emplace_back(j["step"].get<std::uint64_t>(), j["value"].get<double>());
  }
  ASSERT_FALSE(scores.empty());
  std::size_t best = 0, since = 0;
  for (std::size_t k = 1; k < scores.size(); ++k) {
    if (scores[k].second > scores[best].second) best = k, since = 0;
    else ++since;
  }
  EXPECT_EQ(o.best_step, scores[best].first);
  EXPECT_EQ(o.stopped_early, since == 3);
  EXPECT_EQ(o.steps, o.stopped_early ? scores.back().first : 300u);
  for (std::size_t k = 0; k < scores.size(); ++k) EXPECT_EQ(scores[k].first, 10 * (k + 1));

  // The reported test figures are the best checkpoint's, which `mmn eval` loads by default.
  EXPECT_EQ(expect_loaded_run_reproduces(o, data, tmp / "run").step, o.best_step);

  // Resumed, a run that stopped early stays stopped; with more patience it goes on.
  if (!o.stopped_early) return;
  const TrainOutcome again = train(c, {true, false, true});
  EXPECT_TRUE(again.stopped_early);
  EXPECT_EQ(again.best_step, o.best_step);
  c.train.early_stopping_patience = 100;
  c.train.max_steps = o.steps + 20;
  const TrainOutcome more = train(c, {true, false, true});
  EXPECT_FALSE(more.stopped_early);
  EXPECT_EQ(more.steps, o.steps + 20);
}

TEST(Trainer, ValidationFractionThatLeavesNoTrainingRowsIsAnError) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 5000, 4, 0);
  TrainConfig c = tiny_config(data, tmp / "run");
  c.train.validation_fraction = 0.1f;  // one row group: nothing would be left to train on
  EXPECT_NE(testing::error_of([&] { train(c, {false, false, true}); })
                .find("train.validation_fraction = 0.1 would leave no training rows: the data has 1 row group"),
            std::string::npos);
}

// Rare values' map is fitted at the start, saved in the checkpoints and used by `mmn eval`:
// the loaded run predicts the test split exactly as the run itself reported it.
TEST(Trainer, RareIdMapTravelsWithTheCheckpoint) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 20000, 6, 0);
  TrainConfig c = tiny_config(data, tmp / "run");
  c.model.min_id_count = 4;
  c.train.max_steps = 30;
  const TrainOutcome o = train(c, {false, false, true});
  const LoadedRun run = expect_loaded_run_reproduces(o, data, tmp / "run");
  const EmbeddingTable& first = run.model->embeddings().front();
  ASSERT_EQ(first.id_map.size(), Dataset::open(data + "/test").schema().categorical.front().vocab_size);
  EXPECT_TRUE(std::count(first.id_map.begin(), first.id_map.end(), first.rows - 1) > 0);
}

}  // namespace
}  // namespace mmn
