// scripts/bench.sh --smoke end to end: every benchmark binary runs (a token amount of
// work), its JSON result exists, parses, carries the run context, quotes a roofline
// measured in the run, and mmn-perf-compare and mmn-perf-masking-table read it.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

namespace {

namespace fs = std::filesystem;

const char* const kContextKeys[] = {"mmn_git_commit", "mmn_cpu_model",   "mmn_threads",     "mmn_build_type",
                                    "mmn_native",     "mmn_smoke",       "mmn_blas_library", "mmn_blas_config",
                                    "mmn_blas_core",  "mmn_cpu_simd"};
// Benchmarks every op suite must report against a roofline.
const char* const kRooflineSuites[] = {
    "routing_bench",      "composed_layer_bench", "factorised_sum_layer_bench", "masked_tower_bench",
    "weighted_bce_bench", "embedding_bench",      "optimizers_bench",           "auc_bench",
    "auto_masking_bench", "train_step_bench",     "product_microkernels_bench"};

int run(const std::string& cmd) {
  const int raw = std::system(cmd.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

class BenchSmoke : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = fs::temp_directory_path() / ("mmn_bench_smoke_" + std::to_string(getpid()));
    fs::remove_all(out_);
    status_ = run("bash " + std::string(MMN_SOURCE_DIR) + "/scripts/bench.sh --smoke --out " + out_.string() +
                  " --build-dir " + MMN_BUILD_ROOT + " > " + out_.string() + ".log 2>&1");
  }
  static void TearDownTestSuite() {
    fs::remove_all(out_);
    fs::remove(out_.string() + ".log");
  }
  static nlohmann::json load(const std::string& suite) {
    std::ifstream in(out_ / (suite + ".json"));
    return nlohmann::json::parse(in);
  }
  static fs::path out_;
  static int status_;
};
fs::path BenchSmoke::out_;
int BenchSmoke::status_ = -1;

TEST_F(BenchSmoke, EveryBinaryWritesAResultWithItsContext) {
  ASSERT_EQ(status_, 0) << "see " << out_.string() << ".log";
  std::size_t files = 0;
  for (const auto& bin : fs::directory_iterator(fs::path(MMN_BUILD_ROOT) / "perf")) {
    const std::string name = bin.path().filename().string();
    if (name.size() < 6 || name.compare(name.size() - 6, 6, "_bench") != 0 || !bin.is_regular_file()) continue;
    ++files;
    SCOPED_TRACE(name);
    ASSERT_TRUE(fs::exists(out_ / (name + ".json")));
    const nlohmann::json doc = load(name);
    for (const char* key : kContextKeys) EXPECT_TRUE(doc.at("context").contains(key)) << key;
    EXPECT_EQ(doc["context"]["mmn_smoke"], "1");
    EXPECT_EQ(doc["context"]["mmn_threads"].get<std::string>(),
              std::to_string(std::stoi(doc["context"]["mmn_threads"].get<std::string>())));
    EXPECT_FALSE(doc.at("benchmarks").empty());
  }
  EXPECT_GE(files, std::size(kRooflineSuites));
}

TEST_F(BenchSmoke, OpSuitesQuoteARooflineMeasuredInTheRun) {
  ASSERT_EQ(status_, 0);
  for (const char* suite : kRooflineSuites) {
    SCOPED_TRACE(suite);
    const nlohmann::json doc = load(suite);
    std::size_t quoted = 0;
    for (const auto& b : doc.at("benchmarks")) {
      ASSERT_FALSE(b.value("error_occurred", false)) << b.value("error_message", "");
      if (!b.contains("fraction_of_roofline")) continue;
      ++quoted;
      const double fraction = b["fraction_of_roofline"].get<double>();
      EXPECT_GT(fraction, 0.0) << b["name"];
      EXPECT_TRUE(b.contains("roofline_GFLOP/s") || b.contains("roofline_GB/s")) << b["name"];
    }
    EXPECT_GT(quoted, 0u);
  }
}

TEST_F(BenchSmoke, CompareToolReadsTheResults) {
  ASSERT_EQ(status_, 0);
  const std::string file = (out_ / "composed_layer_bench.json").string();
  EXPECT_EQ(run(std::string(MMN_PERF_COMPARE) + " " + file + " " + file + " > /dev/null"), 0);
  const std::string base = (out_ / "routing_bench.json").string();
  // other benchmarks entirely: every one missing, every one extra
  EXPECT_EQ(run(std::string(MMN_PERF_COMPARE) + " " + base + " " + file + " > /dev/null 2>&1"), 2);
  // bench.sh with a baseline runs the comparison: 0 or 1 (smoke timings are noise,
  // either verdict is fine), never a failed benchmark (3) or unreadable results (2)
  const std::string again = out_.string() + "/again";
  const int status =
      run("bash " + std::string(MMN_SOURCE_DIR) + "/scripts/bench.sh --smoke --filter BM_Gather --out " + again +
          " --baseline " + out_.string() + " --build-dir " + MMN_BUILD_ROOT + " > " + again + ".log 2>&1");
  EXPECT_TRUE(status == 0 || status == 1) << status;
  std::ifstream log(again + ".log");
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("BM_GatherRows/width:272/real_time"), std::string::npos) << text;
  EXPECT_NE(text.find("verdict"), std::string::npos) << text;
  EXPECT_EQ(text.find("error"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(again + "/auc_bench.json"));  // nothing matched there: no file
}

TEST_F(BenchSmoke, AutoMaskingTable) {
  ASSERT_EQ(status_, 0);
  std::ifstream md(out_ / "auto_masking.md");
  ASSERT_TRUE(md.good());
  std::string header;
  std::getline(md, header);
  EXPECT_NE(header.find("masked / grouped"), std::string::npos);
  std::string line;
  std::size_t rows = 0;
  while (std::getline(md, line)) rows += line.rfind("| ", 0) == 0 ? 1 : 0;
  EXPECT_EQ(rows, 2u);  // smoke: 1 and 16 domains at batch 256
}

}  // namespace
