// The trainer's divergence guard: a non-finite loss or gradient stops the run naming the step
// and the tensor, keeping the last good checkpoint, or skips the batch under skip_batch.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "mmn/data/dataset.h"
#include "mmn/util/error.h"
#include "testing/error_of.h"
#include "testing/temp_dir.h"
#include "testing/tiny_data.h"
#include "host/train/trainer_fixture.h"

namespace mmn {
namespace {

using testing::Loaded;
using testing::load;
using testing::make_tiny_data;
using testing::metric_records;
using testing::tiny_config;

TEST(Trainer, DivergenceStopsWithTheStepAndKeepsTheLastCheckpoint) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 20000, 5, 0);
  TrainConfig c = tiny_config(data, tmp / "run");
  c.optimizer.adam.lr = 1e30f;  // absurd: parameters overflow within a few steps
  c.train.checkpoint_every = 1;
  c.train.max_steps = 200;
  std::string message;
  try {
    train(c, {false, false, true});
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("training diverged at step"), std::string::npos) << message;
  EXPECT_NE(message.find("not finite"), std::string::npos) << message;
  // Names the tensor: the one holding NaN or infinity, or where the overflow comes from.
  EXPECT_TRUE(message.find("the largest parameter magnitude is ") != std::string::npos ||
              message.find(" holds NaN or infinity") != std::string::npos ||
              message.find("the gradient of ") != std::string::npos)
      << message;
  const auto kept = CheckpointDirectory(tmp / "run/checkpoints", 3).list();
  ASSERT_FALSE(kept.empty());
  const Schema schema = Dataset::open(data + "/train").schema();
  const Loaded l = load(c, kept.front(), schema);  // the newest checkpoint still reads back
  EXPECT_NE(message.find(kept.front()), std::string::npos) << message;
  EXPECT_GT(l.state.step, 0u);
}




// Runs `c` with NaN written into `tensor` at the steps `bad_steps` says; returns the error ("" if none).
std::string run_with_nan(const TrainConfig& c, const std::string& tensor, std::function<bool(std::uint64_t)> bad_steps,
                         TrainOutcome* outcome = nullptr) {
  TrainHooks hooks;
  hooks.after_gradients = [&](std::uint64_t step, MmnModel& model, LossValue& loss) {
    if (!bad_steps(step)) return;
    if (tensor == "loss") {
      loss.total = std::nan("");
      return;
    }
    for (const DenseTensor& t : model.dense().tensors())
      if (t.name == tensor) model.dense().grads(&t - model.dense().tensors().data())[t.size / 2] = INFINITY;
  };
  try {
    const TrainOutcome o = train(c, {false, true, true}, hooks);
    if (outcome) *outcome = o;
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Trainer, InjectedNonFiniteGradientStopsNamingTheStepAndTheTensor) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 8000, 7, 0);
  TrainConfig c = tiny_config(data, tmp / "run");
  c.train.max_steps = 20;
  c.train.checkpoint_every = 4;
  const Schema schema = Dataset::open(data + "/train").schema();
  const MmnModel probe(c.model, schema, 0);
  std::vector<std::string> names;
  for (const DenseTensor& t : probe.dense().tensors()) names.push_back(t.name);
  ASSERT_NE(std::find(names.begin(), names.end(), "cvr.1.W.type"), names.end());
  for (const std::string& tensor : {std::string("cvr.1.W.type"), std::string("ctr.0.b.shared"), std::string("loss")}) {
    const std::string message = run_with_nan(c, tensor, [](std::uint64_t step) { return step == 11; });
    const std::string what = tensor == "loss" ? "the loss" : "the gradient of " + tensor;
    EXPECT_NE(message.find("training diverged at step 11: " + what + " is not finite"), std::string::npos) << message;
    const auto kept = CheckpointDirectory(tmp / "run/checkpoints", 3).list();
    ASSERT_FALSE(kept.empty());
    EXPECT_NE(message.find("the last good checkpoint is " + kept.front()), std::string::npos) << message;
    const Loaded l = load(c, kept.front(), schema);  // intact, and from before the bad step
    EXPECT_EQ(l.state.step, 8u);
  }
}

TEST(Trainer, NonFiniteEmbeddingGradientNamesTheTable) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 5000, 8, 0);
  TrainConfig c = tiny_config(data, tmp / "run");
  c.train.max_steps = 5;
  TrainHooks hooks;
  std::string table;
  hooks.after_gradients = [&](std::uint64_t step, MmnModel& model, LossValue&) {
    if (step != 3) return;
    table = model.embeddings()[1].name;
    // sparse_grads() is read-only outside the model; the hook stands for a bad backward pass.
    const_cast<std::vector<SparseRows>&>(model.sparse_grads())[1].grads.at(0) = NAN;
  };
  const std::string message = testing::error_of([&] { train(c, {false, true, true}, hooks); });
  EXPECT_NE(message.find("training diverged at step 3: the gradient of embedding table " + table + " is not finite"),
            std::string::npos)
      << message;
}

TEST(Trainer, SkipBatchPolicyDropsBadBatchesUpToTheBound) {
  testing::TempDir tmp;
  const std::string data = make_tiny_data(tmp, 8000, 9, 0);
  TrainConfig c = tiny_config(data, tmp / "run");
  c.train.max_steps = 12;
  c.train.on_divergence = "skip_batch";
  c.train.max_skipped_batches = 2;
  TrainOutcome outcome;
  // Bad batches at loop steps 4 and 5 (two in a row, within the bound) and 9.
  std::uint64_t calls = 0;
  const std::string message = run_with_nan(
      c, "cvr.0.W.scenario",
      [&](std::uint64_t) {
        ++calls;
        return calls == 4 || calls == 5 || calls == 9;
      },
      &outcome);
  EXPECT_EQ(message, "");
  EXPECT_EQ(outcome.steps, 12u);  // every step an update: the skipped batches do not count
  EXPECT_EQ(outcome.skipped_batches, 3u);
  EXPECT_EQ(calls, 15u);
  const Schema schema = Dataset::open(data + "/train").schema();
  const Loaded l = load(c, outcome.last_checkpoint, schema);
  EXPECT_EQ(l.optimizer->steps(), 12u);
  for (const float v : l.model->dense().all_values()) ASSERT_TRUE(std::isfinite(v));

  c.train.max_skipped_batches = 2;
  calls = 0;
  const std::string stopped = run_with_nan(c, "loss", [&](std::uint64_t) { return ++calls >= 6; });
  EXPECT_NE(stopped.find("3 batches in a row had a non-finite loss or gradient (the last: the loss is not finite "
                         "(nan); the largest parameter magnitude is "),
            std::string::npos)
      << stopped;
}

// The run directory's model, loaded as `mmn eval` loads it, predicts the test split exactly as
// the run reported it.

}  // namespace
}  // namespace mmn
