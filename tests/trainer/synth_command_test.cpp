// Runs the mmn binary: `mmn synth` end to end on the tiny preset, and its errors.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "mmn/data/dataset.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

using testing::TempDir;

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

CommandRun run_mmn(const std::string& args, const TempDir& tmp) {
  const std::string log = tmp / "log.txt";
  const std::string command = std::string(MMN_BINARY) + " " + args + " > '" + log + "' 2>&1";
  const int status = std::system(command.c_str());
  CommandRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log);
  r.output.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return r;
}

TEST(SynthCommand, WritesTheTinyPresetAndPrintsTheSummaryAndOracle) {
  TempDir tmp;
  const std::string out = tmp / "tiny";
  const CommandRun r = run_mmn("synth --preset tiny --rows 20000 --seed 3 --holdout 1 --out '" + out + "'", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("rows"), std::string::npos);
  EXPECT_NE(r.output.find("oracle (true probabilities): CTR AUC"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("per-domain CVR AUC"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("held out"), std::string::npos) << r.output;
  const Dataset train = Dataset::open(out + "/train");
  const Dataset test = Dataset::open(out + "/test");
  const Dataset heldout = Dataset::open(out + "/heldout");
  EXPECT_EQ(train.rows() + test.rows() + heldout.rows(), 20000u);
  EXPECT_TRUE(train.schema().has_truth);
  EXPECT_EQ(train.provenance().at("preset"), "tiny");
  EXPECT_EQ(train.provenance().at("seed"), 3u);

  const CommandRun again = run_mmn("synth --preset tiny --rows 1000 --out '" + out + "'", tmp);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("already exists"), std::string::npos) << again.output;
  const CommandRun overwrite = run_mmn("synth --preset tiny --rows 1000 --out '" + out + "' --overwrite", tmp);
  EXPECT_EQ(overwrite.exit_code, 0) << overwrite.output;
  EXPECT_EQ(Dataset::open(out + "/train").rows() + Dataset::open(out + "/test").rows(), 1000u);
  EXPECT_FALSE(std::filesystem::exists(out + "/heldout"));
}

TEST(SynthCommand, SetChangesAPresetSettingAndTheMetadataRecordsIt) {
  TempDir tmp;
  const std::string out = tmp / "tiny";
  const CommandRun r = run_mmn("synth --preset tiny --rows 5000 --out '" + out +
                                   "' --set n_dense=0 --set 'categorical=[{\"name\":\"u\",\"vocab\":70}]'",
                               tmp);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("changed from the preset: n_dense=0"), std::string::npos) << r.output;
  const Dataset train = Dataset::open(out + "/train");
  EXPECT_EQ(train.schema().dense.size(), 0u);
  ASSERT_EQ(train.schema().categorical.size(), 1u);
  EXPECT_EQ(train.provenance().at("config").at("categorical").at(0).at("vocab"), 70u);

  const CommandRun bad = run_mmn("synth --preset tiny --out '" + tmp / "bad" + "' --set mean_ctr=2", tmp);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("mmn synth --set: synth config 'tiny': mean_ctr is 2"), std::string::npos) << bad.output;
  EXPECT_FALSE(std::filesystem::exists(tmp / "bad"));
}

TEST(SynthCommand, BadOptionsAreClearErrors) {
  TempDir tmp;
  const CommandRun preset = run_mmn("synth --preset enormous --out '" + tmp / "x" + "'", tmp);
  EXPECT_EQ(preset.exit_code, 1);
  EXPECT_NE(preset.output.find("unknown preset 'enormous'; the presets are: tiny, criteo-like"), std::string::npos)
      << preset.output;
  const CommandRun rows = run_mmn("synth --preset tiny --rows 0 --out '" + tmp / "x" + "'", tmp);
  EXPECT_EQ(rows.exit_code, 1);
  EXPECT_NE(rows.output.find("--rows must be at least 1"), std::string::npos) << rows.output;
  const CommandRun holdout = run_mmn("synth --preset tiny --holdout 40 --out '" + tmp / "x" + "'", tmp);
  EXPECT_EQ(holdout.exit_code, 1);
  EXPECT_NE(holdout.output.find("--holdout 40: only"), std::string::npos) << holdout.output;
  const CommandRun missing = run_mmn("synth --preset tiny", tmp);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("--out"), std::string::npos) << missing.output;
  EXPECT_FALSE(std::filesystem::exists(tmp / "x"));
}

}  // namespace
}  // namespace mmn
