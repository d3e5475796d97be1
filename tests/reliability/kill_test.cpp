// Kill test: `mmn train` is killed with SIGKILL at random moments (in the middle of a
// checkpoint write included) and resumed each time. Every checkpoint on disk must always
// read back, every resume must succeed, and the final checkpoint must equal, byte for
// byte, the one of an uninterrupted run (the CPU backend is deterministic for any thread
// count; the resumed runs alternate between 1 and 2 threads).
// MMN_KILL_TEST_KILLS (default 20), MMN_KILL_TEST_STEPS (default 400) and
// MMN_KILL_TEST_SEED (default 1) select a longer or different run.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "mmn/data/dataset.h"
#include "mmn/model/mmn_model.h"
#include "mmn/model/optimizer.h"
#include "mmn/synth/synthesize.h"
#include "mmn/train/checkpoint.h"
#include "mmn/train/train_config.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"
#include "reliability/child_process.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 10) : fallback;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string write_config(const testing::TempDir& tmp, std::uint64_t steps) {
  ThreadPool pool(2);
  synth::SynthOptions o;
  o.out_dir = tmp / "data";
  o.rows = 8000;
  o.seed = 11;
  synth::synthesize(synth::tiny_preset(), o, pool);
  const std::string path = tmp / "config.toml";
  std::ofstream(path) << "[data]\ntrain = \"" << o.out_dir << "/train\"\n"
                      << "[model]\nembedding_dim = 4\nctr_hidden = [16]\ncvr_hidden = [16, 8]\n"
                      << "[train]\nbatch_size = 128\nmax_steps = " << steps
                      << "\ncheckpoint_every = 1\nkeep_checkpoints = 3\nlog_every = 5\n"
                      << "[run]\nplots = false\n";
  return path;
}

std::vector<std::string> train_command(const std::string& config, const std::string& run_dir, int threads) {
  return {MMN_BINARY, "train", config, "--resume", "--quiet", "--set", "run.dir=" + run_dir,
          "--set", "train.threads=" + std::to_string(threads)};
}

// The newest finished checkpoint's step in the folder (0 without one), read while a run may be
// writing and rotating checkpoints there: entries that vanish meanwhile are skipped.
std::uint64_t latest_checkpoint_step(const std::string& checkpoint_dir) {
  std::uint64_t latest = 0;
  std::error_code ec;
  for (fs::directory_iterator it(checkpoint_dir, ec), end; !ec && it != end; it.increment(ec))
    if (const auto step = checkpoint_step(it->path().filename().string())) latest = std::max(latest, *step);
  return latest;
}

std::size_t unfinished_writes(const std::string& checkpoint_dir) {
  std::size_t n = 0;
  if (!fs::exists(checkpoint_dir)) return 0;
  for (const auto& e : fs::directory_iterator(checkpoint_dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) ++n;
  return n;
}

// The shortest of three one-step runs' wall times: about the start-up (reading and verifying
// the data, loading a checkpoint), since a probe slowed by other jobs would be long.
void measure_startup(const std::string& config, const testing::TempDir& tmp, double& startup_seconds) {
  for (int probe_run = 0; probe_run < 3; ++probe_run) {
    const auto t1 = Clock::now();
    std::vector<std::string> one_step = train_command(config, tmp / ("one-step-" + std::to_string(probe_run)), 2);
    one_step.push_back("--set");
    one_step.push_back("train.max_steps=1");
    testing::ChildProcess probe(one_step, tmp / "out.txt", tmp / "err.txt");
    ASSERT_EQ(probe.wait(), 0) << read_text(tmp / "err.txt");
    const double seconds = std::chrono::duration<double>(Clock::now() - t1).count();
    startup_seconds = probe_run == 0 ? seconds : std::min(startup_seconds, seconds);
  }
}

// Every checkpoint on disk reads back completely.
void expect_every_checkpoint_reads_back(const std::string& checkpoints, const TrainConfig& parsed,
                                        const Schema& schema, std::uint64_t killed) {
  if (!fs::exists(checkpoints)) return;
  for (const auto& path : CheckpointDirectory(checkpoints, parsed.train.keep_checkpoints).list()) {
    MmnModel model(parsed.model, schema, 0);
    Optimizer optimizer(parsed.optimizer, model);
    try {
      read_checkpoint(path, model, optimizer);
    } catch (const Error& e) {
      FAIL() << "after kill " << killed << ": " << e.what();
    }
  }
}

// The start-up (reading and verifying the data, loading a checkpoint) is about the time
// of a one-step run: the shortest of three, since a probe slowed by other jobs would be
// long. Every fourth kill comes at a random moment in the first half of the start-up, or
// at the run's first checkpoint if that is sooner. The others come once the run has
// checkpointed a random number of steps past where it resumed, from 0 to under a
// (kills + 1)-th of the run, and every third of those once the next checkpoint's write is
// under way. However fast or loaded the machine, the kills then use at most
// kills / (kills + 1) of the training, so the run cannot end before the last one.
// (Delays in seconds for all of them ended a loaded ctest -j2 run after 11 of 20 kills.)
TEST(KillTest, ResumeAfterRepeatedSigkillEqualsTheUninterruptedRun) {
  const std::uint64_t kills = env_or("MMN_KILL_TEST_KILLS", 20);
  const std::uint64_t steps = env_or("MMN_KILL_TEST_STEPS", 400);
  const std::uint64_t seed = env_or("MMN_KILL_TEST_SEED", 1);
  testing::TempDir tmp;
  const std::string config = write_config(tmp, steps);
  const TrainConfig parsed = load_train_config(config, {});
  const Schema schema = Dataset::open(parsed.data.train).schema();

  const auto t0 = Clock::now();
  {
    testing::ChildProcess straight(train_command(config, tmp / "straight", 2), tmp / "out.txt", tmp / "err.txt");
    ASSERT_TRUE(straight.spawned());
    const int status = straight.wait();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_text(tmp / "err.txt");
  }
  const double straight_seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  double startup_seconds = 0.0;
  measure_startup(config, tmp, startup_seconds);
  if (HasFatalFailure()) return;
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> early_delay(0.0, 0.5 * startup_seconds);
  // A kill may land one checkpoint past its target (the write it waited for): hence the - 1.
  std::uniform_int_distribution<std::uint64_t> further_steps(0, std::max<std::uint64_t>(steps / (kills + 1), 1) - 1);
  const std::string run = tmp / "killed", checkpoints = tmp / "killed/checkpoints";
  std::uint64_t killed = 0, finished_early = 0, mid_write = 0;
  for (std::uint64_t k = 0; k < kills; ++k) {
    testing::ChildProcess child(train_command(config, run, 1 + static_cast<int>(k % 2)), tmp / "out.txt",
                                tmp / "err.txt");
    ASSERT_TRUE(child.spawned());
    const bool early = k % 4 == 3;
    const std::uint64_t target = latest_checkpoint_step(checkpoints) + (early ? 1 : further_steps(rng));
    const auto give_up =
        Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                           early ? early_delay(rng) : 30.0));
    // Polled with short sleeps: on two cores a spinning wait slows the run it waits for.
    while (latest_checkpoint_step(checkpoints) < target && !child.exited() && Clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    // Spinning: a checkpoint's write may take less than a sleep.
    if (!early && k % 3 == 2)  // the next checkpoint's temporary file
      while (unfinished_writes(checkpoints) == 0 && !child.exited() && Clock::now() < give_up) {
      }
    if (child.exited()) {
      ++finished_early;
      ASSERT_TRUE(WIFEXITED(child.wait()) && WEXITSTATUS(child.wait()) == 0) << read_text(tmp / "err.txt");
      break;
    }
    child.kill_now();
    child.wait();
    ++killed;
    mid_write += unfinished_writes(checkpoints) > 0 ? 1 : 0;
    expect_every_checkpoint_reads_back(checkpoints, parsed, schema, killed);
    if (HasFatalFailure()) return;
  }
  {
    testing::ChildProcess last(train_command(config, run, 2), tmp / "out.txt", tmp / "err.txt");
    const int status = last.wait();
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_text(tmp / "err.txt");
  }
  const std::string err = read_text(tmp / "err.txt");
  EXPECT_EQ(err.find("unreadable"), std::string::npos) << err;
  std::cout << "kills: " << killed << " (" << mid_write << " during a checkpoint write), runs that finished first: "
            << finished_early << "; uninterrupted run " << straight_seconds << " s, start-up " << startup_seconds
            << " s\n";
  RecordProperty("kills", static_cast<int>(killed));
  RecordProperty("kills_during_checkpoint_write", static_cast<int>(mid_write));
  EXPECT_EQ(killed, kills);
  EXPECT_GT(mid_write, 0u) << "no kill landed in the middle of a checkpoint write";

  const std::string name = fmt::format("checkpoints/step-{:09d}.mmnc", steps);
  const std::string a = read_text((fs::path(tmp / "straight") / name).string());
  const std::string b = read_text((fs::path(run) / name).string());
  ASSERT_FALSE(a.empty());
  EXPECT_TRUE(a == b) << "the final checkpoint differs from the uninterrupted run's";
}

}  // namespace
}  // namespace mmn
