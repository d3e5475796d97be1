// `mmn export --format onnx` end to end: for every model kind, ONNX Runtime gives the
// probabilities `mmn predict` gives on the same rows (within 1e-5), the held-out
// (type, scenario) pairs included; an id outside the vocabulary is an error in ONNX
// Runtime, not a silent wrong row. The comparison runs tests/tools/onnx_check.py with
// the Python in MMN_TEST_PYTHON (scripts/python-test-env.sh makes one with ONNX Runtime);
// without ONNX Runtime the test skips, unless MMN_REQUIRE_ONNXRUNTIME=1 (the test script
// sets it) makes that a failure.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "testing/shell.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

using Result = testing::ShellResult;
using testing::shell;

Result mmn(const std::string& args) { return shell(std::string(MMN_BINARY) + " " + args); }

std::string python() {
  const char* p = std::getenv("MMN_TEST_PYTHON");
  return p != nullptr && *p != '\0' ? p : "python3";
}

bool onnxruntime_available() {
  return shell(python() + " -c 'import onnxruntime, onnx, numpy'").code == 0;
}

// One synthetic data set (with two held-out pairs) for every model kind, made by the first test.
class ExportCommand : public ::testing::TestWithParam<const char*> {
 protected:
  static const std::string& data_dir() {
    static const std::string dir = [] {
      const std::string d = (std::filesystem::temp_directory_path() /
                             ("mmn_test_export_data_" + std::to_string(::getpid())))
                                .string();
      std::filesystem::remove_all(d);
      const Result synth = mmn("synth --preset tiny --rows 12000 --seed 5 --holdout 2 --out " + d + "/data");
      EXPECT_EQ(synth.code, 0) << synth.output;
      for (const char* split : {"test", "heldout"}) {
        const Result dumped = mmn(fmt::format("data dump {}/data/{} --out {}/{}_inputs.csv", d, split, d, split));
        EXPECT_EQ(dumped.code, 0) << dumped.output;
      }
      return d;
    }();
    return dir;
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                    ("mmn_test_export_data_" + std::to_string(::getpid())),
                                ignored);
  }
};

TEST_P(ExportCommand, OnnxRuntimeGivesWhatMmnPredictGives) {
  if (!onnxruntime_available()) {
    if (std::getenv("MMN_REQUIRE_ONNXRUNTIME") != nullptr) FAIL() << python() << " cannot import onnxruntime";
    GTEST_SKIP() << python() << " has no onnxruntime (run scripts/python-test-env.sh and set MMN_TEST_PYTHON)";
  }
  testing::TempDir tmp;
  const std::string data = data_dir() + "/data";
  const Result train = mmn(fmt::format(
      "train /dev/null --set data.train={}/train --set run.dir={} --set train.max_steps=25 --set model.embedding_dim=4 "
      "--set model.ctr_hidden=8 --set model.cvr_hidden=8,4 --set train.batch_size=256 --set run.plots=false --quiet {}",
      data, tmp / "run", GetParam()));
  ASSERT_EQ(train.code, 0) << train.output;
  const Result exported = mmn("export " + (tmp / "run") + " --format onnx --out " + (tmp / "model.onnx"));
  ASSERT_EQ(exported.code, 0) << exported.output;
  for (const char* split : {"test", "heldout"}) {
    const std::string predictions = tmp / (std::string(split) + ".csv");
    const Result predicted = mmn(fmt::format("predict {} --data {}/{} --out {}", tmp / "run", data, split, predictions));
    ASSERT_EQ(predicted.code, 0) << predicted.output;
    const Result check = shell(fmt::format("{} {}/tools/onnx_check.py {} {} {}", python(), MMN_TESTS_DIR,
                                           tmp / "model.onnx", data_dir() + "/" + split + "_inputs.csv",
                                           predictions));
    EXPECT_EQ(check.code, 0) << split << ": " << check.output;
    std::printf("%s %s: %s", GetParam(), split, check.output.c_str());
  }
  const Result out_of_range =
      shell(fmt::format("{} {}/tools/onnx_check.py {} {} {} --id-out-of-range", python(), MMN_TESTS_DIR,
                        tmp / "model.onnx", data_dir() + "/test_inputs.csv", tmp / "test.csv"));
  EXPECT_EQ(out_of_range.code, 0) << out_of_range.output;
}

std::string kind_name(const ::testing::TestParamInfo<const char*>& param) {
  static const char* const names[] = {"MmnProduct", "MmnSum", "Shared", "Star", "Separate", "RareIdsAndDomainFeatures"};
  return names[param.index];
}

INSTANTIATE_TEST_SUITE_P(ModelKinds, ExportCommand,
                         ::testing::Values("", "--set model.composition=sum", "--set model.kind=shared",
                                           "--set model.kind=star", "--set model.kind=separate",
                                           "--set model.min_id_count=3 --set model.domain_features=true"),
                         kind_name);

}  // namespace
}  // namespace mmn
