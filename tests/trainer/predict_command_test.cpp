// `mmn predict` end to end: its CSV has one line per input row in input order, the AUC
// computed from it equals the one `mmn eval` reports, and a CSV input read through its
// ingest schema gives the same predictions as the data set ingested from it.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "mmn/data/dataset.h"
#include "mmn/metrics/auc.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

int run(const std::string& args) {
  const std::string cmd = std::string(MMN_BINARY) + " " + args + " > /dev/null 2>&1";
  return std::system(cmd.c_str());
}

std::vector<std::pair<float, float>> read_predictions(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "p_ctr,p_cvr");
  std::vector<std::pair<float, float>> rows;
  while (std::getline(in, line)) {
    const auto comma = line.find(',');
    rows.emplace_back(std::stof(line.substr(0, comma)), std::stof(line.substr(comma + 1)));
  }
  return rows;
}

const char* kSmallModel =
    " --set model.embedding_dim=4 --set model.ctr_hidden=8 --set model.cvr_hidden=8 --set train.batch_size=256"
    " --set run.plots=false --quiet";

// Tiny synthetic data in tmp/data and the small model trained on its train split in tmp/run;
// 0 when both commands succeed.
int train_on_synthetic_data(const testing::TempDir& tmp, int rows, int seed, int steps) {
  if (int status = run("synth --preset tiny --rows " + std::to_string(rows) + " --seed " + std::to_string(seed) +
                       " --out " + (tmp / "data"));
      status != 0)
    return status;
  return run("train /dev/null --set data.train=" + (tmp / "data/train") + " --set run.dir=" + (tmp / "run") +
             " --set train.max_steps=" + std::to_string(steps) + kSmallModel);
}

TEST(PredictCommand, AucFromPredictionsEqualsTheEvalReport) {
  testing::TempDir tmp;
  ASSERT_EQ(train_on_synthetic_data(tmp, 20000, 3, 30), 0);
  ASSERT_EQ(run("predict " + (tmp / "run") + " --data " + (tmp / "data/test") + " --out " + (tmp / "p.csv")), 0);
  ASSERT_EQ(run("eval " + (tmp / "run") + " --data " + (tmp / "data/test") + " --report " + (tmp / "r.json")), 0);
  const auto predictions = read_predictions(tmp / "p.csv");
  const Dataset test = Dataset::open(tmp / "data/test");
  ASSERT_EQ(predictions.size(), test.rows());
  std::vector<float> p_ctr, p_cvr_clicked;
  std::vector<std::uint8_t> click, conv_clicked;
  std::size_t i = 0;
  for (const auto& shard : test.shards())
    for (std::size_t r = 0; r < shard.rows(); ++r, ++i) {
      p_ctr.push_back(predictions[i].first);
      click.push_back(shard.columns().click[r]);
      if (shard.columns().click[r] != 0) {
        p_cvr_clicked.push_back(predictions[i].second);
        conv_clicked.push_back(shard.columns().conv[r]);
      }
    }
  std::ifstream in(tmp / "r.json");
  const nlohmann::json report = nlohmann::json::parse(in);
  const nlohmann::json& figures = report.begin().value();
  EXPECT_NEAR(auc(p_ctr, click), figures.at("ctr_auc").get<double>(), 1e-6);
  EXPECT_NEAR(auc(p_cvr_clicked, conv_clicked), figures.at("cvr_auc").get<double>(), 1e-6);
}

TEST(PredictCommand, CsvInputThroughItsSchemaMatchesTheIngestedDataSet) {
  testing::TempDir tmp;
  const std::string fixtures = std::string(MMN_TEST_DATA_DIR) + "/ingest/";
  ASSERT_EQ(run("ingest --schema " + fixtures + "aliccp_schema.toml --out " + (tmp / "data") + " " + fixtures +
                "aliccp_small.csv"),
            0);
  ASSERT_EQ(run("train /dev/null --set data.train=" + (tmp / "data") + " --set run.dir=" + (tmp / "run") +
                " --set train.max_steps=5" + kSmallModel),
            0);
  ASSERT_EQ(run("predict " + (tmp / "run") + " --data " + (tmp / "data") + " --out " + (tmp / "a.csv")), 0);
  ASSERT_EQ(run("predict " + (tmp / "run") + " --csv " + fixtures + "aliccp_small.csv --schema " + fixtures +
                "aliccp_schema.toml --out " + (tmp / "b.csv")),
            0);
  const auto a = read_predictions(tmp / "a.csv"), b = read_predictions(tmp / "b.csv");
  EXPECT_EQ(a.size(), Dataset::open(tmp / "data").rows());
  EXPECT_EQ(a, b);
  EXPECT_NE(run("predict " + (tmp / "run") + " --out " + (tmp / "c.csv")), 0);  // neither --data nor --csv
}

// `--device cuda` (here the CUDA backend on the SIMT emulator, mmn-emulated-cuda) predicts what
// the CPU predicts, within the device kernels' fp32 tolerance; eval reports the same figures.
TEST(PredictCommand, CudaDevicePredictsWhatTheCpuPredicts) {
  testing::TempDir tmp;
  ASSERT_EQ(train_on_synthetic_data(tmp, 8000, 4, 20), 0);
  const std::string emulated = std::string(MMN_EMULATED_CUDA_BINARY) + " ";
  ASSERT_EQ(run("predict " + (tmp / "run") + " --data " + (tmp / "data/test") + " --out " + (tmp / "cpu.csv")), 0);
  ASSERT_EQ(std::system((emulated + "predict " + (tmp / "run") + " --data " + (tmp / "data/test") + " --out " +
                         (tmp / "cuda.csv") + " --device cuda > /dev/null 2>&1")
                            .c_str()),
            0);
  const auto cpu = read_predictions(tmp / "cpu.csv"), cuda = read_predictions(tmp / "cuda.csv");
  ASSERT_EQ(cuda.size(), cpu.size());
  ASSERT_GT(cpu.size(), 0u);
  for (std::size_t i = 0; i < cpu.size(); ++i) {
    ASSERT_NEAR(cuda[i].first, cpu[i].first, 1e-5) << "row " << i;
    ASSERT_NEAR(cuda[i].second, cpu[i].second, 1e-5) << "row " << i;
  }
  ASSERT_EQ(std::system((emulated + "eval " + (tmp / "run") + " --data " + (tmp / "data/test") + " --device cuda" +
                         " --report " + (tmp / "cuda.json") + " > /dev/null 2>&1")
                            .c_str()),
            0);
  ASSERT_EQ(run("eval " + (tmp / "run") + " --data " + (tmp / "data/test") + " --report " + (tmp / "cpu.json")), 0);
  const auto a = nlohmann::json::parse(std::ifstream(tmp / "cpu.json")).at(tmp / "run");
  const auto b = nlohmann::json::parse(std::ifstream(tmp / "cuda.json")).at(tmp / "run");
  EXPECT_NEAR(b.at("ctr_auc").get<double>(), a.at("ctr_auc").get<double>(), 1e-4);
  EXPECT_NEAR(b.at("cvr_auc").get<double>(), a.at("cvr_auc").get<double>(), 1e-4);
}

TEST(PredictCommand, CudaDeviceWithoutTheBackendIsAClearError) {
  testing::TempDir tmp;
  ASSERT_EQ(train_on_synthetic_data(tmp, 4000, 4, 2), 0);
  const std::string cmd = std::string(MMN_BINARY) + " predict " + (tmp / "run") + " --data " + (tmp / "data/test") +
                          " --out " + (tmp / "p.csv") + " --device cuda 2>&1";
  std::FILE* pipe = ::popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  for (int c; (c = std::fgetc(pipe)) != EOF;) output += static_cast<char>(c);
  EXPECT_NE(::pclose(pipe), 0);
  // This build's mmn either has no CUDA backend or sees no GPU; either way it says so.
  EXPECT_NE(output.find("train.device = \"cuda\""), std::string::npos) << output;
  EXPECT_FALSE(std::ifstream(tmp / "p.csv").good()) << "no output file on failure";
}

}  // namespace
}  // namespace mmn
