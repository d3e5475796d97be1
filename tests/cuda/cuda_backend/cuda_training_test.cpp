// `mmn train` with train.device = cuda: the whole trainer (batches, the divergence guard,
// checkpoints, resume, evaluation through the backend's forward pass) on the CUDA backend
// against the same run on the CPU; on the SIMT emulator in cuda_backend_tests, on a GPU in
// cuda_backend_gpu_tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "host/train/trainer_fixture.h"
#include "mmn/cuda_backend/cuda_backend.h"
#include "mmn/data/dataset.h"
#include "mmn/model/mmn_model.h"
#include "mmn/util/error.h"
#include "mmn/synth/synthesize.h"
#include "mmn/train/trainer.h"
#include "mmn/util/thread_pool.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

std::string tiny_data(const testing::TempDir& tmp) {
  ThreadPool pool(2);
  synth::SynthOptions o;
  o.out_dir = tmp / "data";
  o.rows = 12000;
  o.seed = 11;
  synth::synthesize(synth::tiny_preset(), o, pool);
  return o.out_dir;
}

TrainConfig tiny_run(const std::string& data, const std::string& dir, const std::string& device) {
  TrainConfig c = testing::tiny_config(data, dir);
  c.train.eval_batch_size = 1024;
  c.train.max_steps = 30;
  c.train.checkpoint_every = 15;
  c.train.device = device;
  return c;
}

std::vector<double> loss_curve(const std::string& dir) {
  std::ifstream in(dir + "/metrics.jsonl");
  std::vector<double> losses;
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    if (j.at("kind") == "train") losses.push_back(j.at("loss").get<double>());
  }
  return losses;
}

class CudaTraining : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { register_cuda_backend(); }
};

// Tolerances: each step's loss within 1e-4 relative (fp32 kernels against the CPU's sums;
// Adam amplifies the per-step differences a little over 30 steps), the test AUCs within 2e-3.
TEST_F(CudaTraining, TinyRunMatchesTheCpuRun) {
  testing::TempDir tmp;
  const std::string data = tiny_data(tmp);
  TrainConfig cpu_run = tiny_run(data, tmp / "cpu", "cpu"), gpu_run = tiny_run(data, tmp / "cuda", "cuda");
  cpu_run.train.max_steps = gpu_run.train.max_steps = 120;
  const TrainOutcome cpu = train(cpu_run, {false, false, true});
  const TrainOutcome gpu = train(gpu_run, {false, false, true});
  ASSERT_EQ(gpu.steps, 120u);
  const std::vector<double> a = loss_curve(tmp / "cpu"), b = loss_curve(tmp / "cuda");
  ASSERT_EQ(a.size(), 24u);
  ASSERT_EQ(b.size(), a.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_NEAR(b[i], a[i], 1e-4 * a[i]) << "interval " << i;
  ASSERT_TRUE(cpu.test && gpu.test);
  EXPECT_NEAR(gpu.test->ctr_auc, cpu.test->ctr_auc, 2e-3);
  EXPECT_NEAR(gpu.test->cvr_auc, cpu.test->cvr_auc, 2e-3);
  EXPECT_NEAR(gpu.test->ctcvr_auc, cpu.test->ctcvr_auc, 2e-3);
  EXPECT_LT(b.back(), 0.9 * b.front());  // it learned something
}

// The device keeps the parameters between checkpoints: a resumed run must take them (and the
// optimizer state) back from the checkpoint exactly, so it ends bit for bit where an
// uninterrupted one does.
TEST_F(CudaTraining, ResumedRunEqualsUninterruptedRunBitwise) {
  testing::TempDir tmp;
  const std::string data = tiny_data(tmp);
  const TrainOutcome straight = train(tiny_run(data, tmp / "straight", "cuda"), {false, false, true});
  TrainConfig half = tiny_run(data, tmp / "halves", "cuda");
  half.train.max_steps = 15;
  train(half, {false, false, true});
  half.train.max_steps = 30;
  const TrainOutcome resumed = train(half, {true, false, true});
  EXPECT_EQ(resumed.steps, 30u);
  EXPECT_EQ(resumed.parameter_checksum, straight.parameter_checksum);
}

// One process with train.on_divergence = "stop" pipelines its steps on the device (a step is
// queued before the one before it is settled); "skip_batch" runs them one at a time. Both train
// the same to the bit: losses, test AUCs and parameters, with log, checkpoint and evaluation
// points falling between queued steps.
TEST_F(CudaTraining, PipelinedStepsEqualStepsOneAtATimeBitwise) {
  testing::TempDir tmp;
  const std::string data = tiny_data(tmp);
  TrainConfig pipelined = tiny_run(data, tmp / "pipelined", "cuda");
  pipelined.train.log_every = 7;
  pipelined.train.eval_every = 10;
  pipelined.train.checkpoint_every = 11;
  TrainConfig one_at_a_time = pipelined;
  one_at_a_time.run.dir = tmp / "one_at_a_time";
  one_at_a_time.train.on_divergence = "skip_batch";
  const TrainOutcome a = train(pipelined, {false, false, true});
  const TrainOutcome b = train(one_at_a_time, {false, false, true});
  EXPECT_TRUE(a.pipelined);
  EXPECT_FALSE(b.pipelined);
  EXPECT_EQ(a.steps, 30u);
  EXPECT_EQ(b.steps, 30u);
  const std::vector<double> la = loss_curve(tmp / "pipelined"), lb = loss_curve(tmp / "one_at_a_time");
  EXPECT_EQ(la.size(), 5u);  // steps 7, 14, 21, 28 and the last
  EXPECT_EQ(la, lb);
  EXPECT_EQ(a.parameter_checksum, b.parameter_checksum);
  ASSERT_TRUE(a.test && b.test);
  EXPECT_EQ(a.test->ctr_auc, b.test->ctr_auc);
  EXPECT_EQ(a.test->cvr_auc, b.test->cvr_auc);
}

TEST_F(CudaTraining, AutoPicksTheCudaBackendWhenItCanRun) {
  testing::TempDir tmp;
  const std::string data = tiny_data(tmp);
  TrainConfig c = tiny_run(data, tmp / "auto", "auto");
  c.train.max_steps = 2;
  train(c, {false, false, true});
  std::ifstream in(tmp / "auto/summary.json");
  const auto summary = nlohmann::json::parse(in);
  EXPECT_EQ(summary.at("backend").get<std::string>().rfind("cuda: ", 0), 0u) << summary.at("backend");
}

// The gradient hook sees and changes the device's gradients: a gradient it makes infinite on the
// device is caught by the divergence guard and named.
TEST_F(CudaTraining, GradientHookReachesTheDevicesGradients) {
  testing::TempDir tmp;
  const std::string data = tiny_data(tmp);
  TrainConfig c = tiny_run(data, tmp / "hook", "cuda");
  c.train.max_steps = 4;
  TrainHooks hooks;
  float seen = 0;
  hooks.after_gradients = [&](std::uint64_t step, MmnModel& model, LossValue&) {
    const std::vector<float>& g = model.dense().all_grads();
    for (const float v : g) seen = std::max(seen, std::fabs(v));
    if (step == 3) model.dense().all_grads()[model.dense().tensors()[1].offset] = INFINITY;
  };
  std::string message;
  try {
    train(c, {false, false, true}, hooks);
  } catch (const Error& e) {
    message = e.what();
  }
  EXPECT_GT(seen, 0.0f);  // the device's gradients reached the host model
  const std::string tensor = MmnModel(c.model, Dataset::open(data + "/train").schema(), 0).dense().tensors()[1].name;
  EXPECT_NE(message.find("training diverged at step 3: the gradient of " + tensor + " is not finite"),
            std::string::npos)
      << message;
}

}  // namespace
}  // namespace mmn
