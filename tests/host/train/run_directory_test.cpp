#include "mmn/train/run_directory.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "mmn/util/error.h"
#include "testing/lines.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

using testing::lines_of;

// 2 types x 2 scenarios; domain d = type * 2 + scenario.
EvalReport hand_built_report() {
  EvalReport r;
  r.rows = 1000;
  r.clicks = 350;
  r.conversions = 40;
  r.ctr_auc = 0.71;
  r.cvr_auc = 0.66;
  r.ctcvr_auc = 0.69;
  r.ctr_logloss = 0.45;
  r.cvr_logloss = 0.31;
  r.ctcvr_logloss = kNaN;
  r.domain_cvr.auc = {0.75, kNaN, kNaN, 0.6125};
  r.domain_cvr.rows = {100, 50, 0, 200};
  r.domain_cvr.positives = {10, 0, 0, 30};
  r.domain_cvr.scored = 2;
  r.domain_cvr.mean = 0.68125;
  r.domain_cvr.weighted_mean = (0.75 * 100 + 0.6125 * 200) / 300;
  r.calibration.resize(4);
  r.calibration[0] = {100, 10, 12.0};
  r.calibration[1] = {50, 0, 1.0};
  r.calibration[2] = {0, 0, 0.0};
  r.calibration[3] = {200, 30, 27.0};
  return r;
}

Dictionaries names() {
  Dictionaries d;
  d.types = {"purchase", "signup"};
  d.scenarios = {"home", "search,ads"};
  return d;
}

TEST(RunDirectory, CreatesTheDirectoryWithParents) {
  testing::TempDir tmp;
  RunDirectory run(tmp / "a/b/c");
  EXPECT_TRUE(std::filesystem::is_directory(tmp / "a/b/c"));
  EXPECT_EQ(run.path("x.txt"), tmp / "a/b/c/x.txt");
}

TEST(RunDirectory, FailsNamingAPathThatIsAFile) {
  testing::TempDir tmp;
  std::ofstream(tmp / "file") << "x";
  try {
    RunDirectory run(tmp / "file");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(tmp / "file"), std::string::npos) << e.what();
  }
}

TEST(RunDirectory, DomainReportCsvHasOneLinePerDomainByName) {
  testing::TempDir tmp;
  RunDirectory run(tmp.str());
  run.write_domain_report("test", hand_built_report(), names(), 2);
  EXPECT_EQ(slurp(tmp / "test_domains.csv"),
            "type,scenario,rows_clicked,conversions,cvr_auc,predicted_cvr,observed_cvr,calibration\n"
            "purchase,home,100,10,0.750000,0.12,0.1,1.2000\n"
            "purchase,\"search,ads\",50,0,,0.02,0,\n"
            "signup,home,0,0,,,,\n"
            "signup,\"search,ads\",200,30,0.612500,0.135,0.15,0.9000\n");

  const auto j = nlohmann::json::parse(slurp(tmp / "test_domains.json"));
  EXPECT_EQ(j["split"], "test");
  EXPECT_EQ(j["n_types"], 2);
  EXPECT_EQ(j["n_scenarios"], 2);
  ASSERT_EQ(j["domains"].size(), 4u);
  EXPECT_EQ(j["domains"][3]["type"], "signup");
  EXPECT_EQ(j["domains"][3]["scenario"], "search,ads");
  EXPECT_EQ(j["domains"][3]["rows_clicked"], 200);
  EXPECT_DOUBLE_EQ(j["domains"][3]["cvr_auc"].get<double>(), 0.6125);
  EXPECT_DOUBLE_EQ(j["domains"][3]["calibration"].get<double>(), 0.9);
  EXPECT_TRUE(j["domains"][1]["cvr_auc"].is_null());
  EXPECT_TRUE(j["domains"][1]["calibration"].is_null());
  EXPECT_TRUE(j["domains"][2]["observed_cvr"].is_null());
  EXPECT_FALSE(j["domains"][0].contains("oracle_cvr_auc"));
  EXPECT_DOUBLE_EQ(j["figures"]["domain_cvr_auc_mean"].get<double>(), 0.68125);
}

TEST(RunDirectory, DomainReportRejectsAScenarioCountThatDoesNotDivide) {
  testing::TempDir tmp;
  RunDirectory run(tmp.str());
  EXPECT_THROW(run.write_domain_report("test", hand_built_report(), names(), 3), Error);
}

TEST(RunDirectory, EvalReportJsonWritesNaNAsNullAndOracleGaps) {
  EvalReport r = hand_built_report();
  nlohmann::json j = eval_report_json(r);
  EXPECT_EQ(j["rows"], 1000);
  EXPECT_DOUBLE_EQ(j["ctr_auc"].get<double>(), 0.71);
  EXPECT_DOUBLE_EQ(j["cvr_logloss"].get<double>(), 0.31);
  EXPECT_TRUE(j["ctcvr_logloss"].is_null());
  EXPECT_EQ(j["domains_scored"], 2);
  EXPECT_EQ(j["domains"], 4);
  EXPECT_FALSE(j.contains("oracle"));
  EXPECT_EQ(j.dump().find("NaN"), std::string::npos);
  EXPECT_NE(j.dump().find("\"ctcvr_logloss\":null"), std::string::npos) << j.dump();

  OracleFigures o;
  o.ctr_auc = 0.75;
  o.cvr_auc = 0.70;
  o.ctcvr_auc = 0.72;
  o.ctr_logloss = 0.40;
  o.cvr_logloss = 0.30;
  o.domain_cvr.mean = 0.8;
  o.domain_cvr.weighted_mean = kNaN;
  o.domain_cvr.scored = 3;
  o.domain_cvr.auc = {0.8, 0.7, kNaN, 0.9};
  r.oracle = o;
  j = eval_report_json(r);
  EXPECT_DOUBLE_EQ(j["oracle"]["ctr_auc"].get<double>(), 0.75);
  EXPECT_EQ(j["oracle"]["domains_scored"], 3);
  EXPECT_TRUE(j["oracle"]["domain_cvr_auc_weighted"].is_null());
  EXPECT_NEAR(j["gap_to_oracle"]["domain_cvr_auc_mean"].get<double>(), 0.8 - 0.68125, 1e-12);
  EXPECT_NEAR(j["gap_to_oracle"]["ctr_auc"].get<double>(), 0.04, 1e-12);
  EXPECT_NEAR(j["gap_to_oracle"]["cvr_logloss"].get<double>(), 0.01, 1e-12);  // model - oracle
  EXPECT_TRUE(j["gap_to_oracle"]["domain_cvr_auc_weighted"].is_null());

  testing::TempDir tmp;
  RunDirectory run(tmp.str());
  run.write_domain_report("heldout", r, names(), 2);
  const auto d = nlohmann::json::parse(slurp(tmp / "heldout_domains.json"));
  EXPECT_DOUBLE_EQ(d["domains"][1]["oracle_cvr_auc"].get<double>(), 0.7);
  EXPECT_TRUE(d["domains"][2]["oracle_cvr_auc"].is_null());
}

TEST(RunDirectory, MetricsAreAppendedOneCompleteObjectPerLine) {
  testing::TempDir tmp;
  {
    RunDirectory run(tmp.str());
    run.append_metrics({{"kind", "train"}, {"step", 1}, {"loss", 0.5}});
    // Visible before the directory object goes away: every line is flushed.
    EXPECT_EQ(lines_of(slurp(tmp / "metrics.jsonl")).size(), 1u);
    run.append_metrics({{"kind", "train"}, {"step", 2}, {"loss", kNaN}});
  }
  {
    RunDirectory resumed(tmp.str());
    nlohmann::json eval = eval_report_json(hand_built_report());
    eval["kind"] = "eval";
    eval["step"] = 2;
    resumed.append_metrics(eval);
  }
  const auto lines = lines_of(slurp(tmp / "metrics.jsonl"));
  ASSERT_EQ(lines.size(), 3u);
  for (const auto& line : lines) EXPECT_TRUE(nlohmann::json::parse(line).is_object()) << line;
  EXPECT_EQ(nlohmann::json::parse(lines[0])["loss"], 0.5);
  EXPECT_TRUE(nlohmann::json::parse(lines[1])["loss"].is_null());
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(lines[2])["cvr_auc"].get<double>(), 0.66);
}

TEST(RunDirectory, AResumeDropsTheRecordsAfterItsStepAndALineCutShort) {
  testing::TempDir tmp;
  {
    std::ofstream out(tmp / "metrics.jsonl", std::ios::binary);
    out << R"({"kind":"train","step":10,"loss":1})" << "\n"
        << R"({"kind":"eval","split":"test","step":10,"cvr_auc":0.6})" << "\n"
        << R"({"kind":"train","step":20,"loss":0.9})" << "\n"
        << R"({"kind":"train","step":30,"lo)";
  }
  RunDirectory run(tmp.str());
  run.resume_metrics_at(10);
  EXPECT_EQ(lines_of(slurp(tmp / "metrics.jsonl")).size(), 2u);
  // The resumed run writes step 20 again, and the end-of-run evaluation at step 10 is not repeated.
  run.append_metrics({{"kind", "train"}, {"step", 20}, {"loss", 0.8}});
  run.append_metrics({{"kind", "eval"}, {"split", "test"}, {"step", 10}, {"cvr_auc", 0.6}});
  run.append_metrics({{"kind", "eval"}, {"split", "test"}, {"step", 20}, {"cvr_auc", 0.7}});
  const auto lines = lines_of(slurp(tmp / "metrics.jsonl"));
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["step"], 10);
  EXPECT_EQ(nlohmann::json::parse(lines[1])["kind"], "eval");
  EXPECT_EQ(nlohmann::json::parse(lines[2])["loss"], 0.8);
  EXPECT_EQ(nlohmann::json::parse(lines[3])["cvr_auc"], 0.7);
}

TEST(RunDirectory, ConfigAndSummaryAreWritten) {
  testing::TempDir tmp;
  RunDirectory run(tmp / "run");
  TrainConfig c;
  c.data.train = "data/train";
  c.train.batch_size = 77;
  run.write_config(c);
  const TrainConfig back = load_train_config(tmp / "run/config.toml", {});
  EXPECT_EQ(back.data.train, "data/train");
  EXPECT_EQ(back.train.batch_size, 77u);
  EXPECT_EQ(slurp(tmp / "run/config.toml"), to_toml(c));

  const nlohmann::json summary = {{"steps", 10}, {"test", eval_report_json(hand_built_report())}};
  run.write_summary(summary);
  EXPECT_EQ(nlohmann::json::parse(slurp(tmp / "run/summary.json")), summary);
}

}  // namespace
}  // namespace mmn
