// mmn-perf-compare on hand-made result files (fixtures/, Google Benchmark's JSON with
// three repetitions per benchmark): the comparison itself, then the tool's exit status.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "comparison.h"
#include "mmn/util/error.h"

namespace mmn::perf {
namespace {

const std::string kDir = std::string(MMN_SOURCE_DIR) + "/tests/perf/fixtures/";
const std::string kA = "BM_ComposedForward/layer:0/real_time";
const std::string kB = "BM_WeightedBce/rows:4096/real_time";
const std::string kC = "BM_TrainStep_MMN/real_time";

ResultFile load(const std::string& name, const std::string& metric = "real_time") {
  return load_result_file(kDir + name, metric);
}

Verdict verdict_of(const Comparison& c, const std::string& name) {
  for (const auto& r : c.rows)
    if (r.name == name) return r.verdict;
  ADD_FAILURE() << name << " not compared";
  return Verdict::same;
}

struct ToolRun {
  int status;
  std::string output;  // stdout and stderr
};

ToolRun run_tool(const std::string& args) {
  const std::string cmd = std::string(MMN_PERF_COMPARE) + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  ToolRun run{0, ""};
  std::array<char, 4096> buf;
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) run.output += buf.data();
  const int raw = pclose(pipe);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return run;
}

TEST(ResultFile, RepetitionsAreSamplesInNanosecondsWithoutMinTimeInTheName) {
  const ResultFile r = load("baseline.json");
  ASSERT_EQ(r.benchmarks.size(), 3u);
  const Samples& a = r.benchmarks.at(kA);
  ASSERT_EQ(a.values.size(), 3u);  // the median aggregate is not a fourth sample
  EXPECT_DOUBLE_EQ(a.median(), 101e6);
  EXPECT_DOUBLE_EQ(a.min(), 100e6);
  EXPECT_DOUBLE_EQ(a.max(), 102e6);
  EXPECT_DOUBLE_EQ(r.benchmarks.at(kB).median(), 50e3);
  EXPECT_EQ(r.context.at("mmn_cpu_model"), "Fixture CPU");
}

TEST(ResultFile, AggregatesOnlyGiveTheMedian) {
  const ResultFile r = load("aggregates_only.json");
  ASSERT_EQ(r.benchmarks.at(kC).values.size(), 1u);
  EXPECT_DOUBLE_EQ(r.benchmarks.at(kC).median(), 522e6);
}

TEST(ResultFile, CounterAsMetric) {
  const ResultFile r = load("baseline.json", "fraction_of_roofline");
  EXPECT_DOUBLE_EQ(r.benchmarks.at(kA).median(), 0.395);
  EXPECT_EQ(r.benchmarks.count(kB), 0u);  // B has no such counter
  EXPECT_EQ(r.without_metric, std::vector<std::string>(3, kB));
}

TEST(ResultFile, MalformedFilesNameTheFileAndTheProblem) {
  const auto message_of = [](const std::string& name, const std::string& metric) -> std::string {
    try {
      load(name, metric);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  std::string m = message_of("truncated.json", "real_time");
  EXPECT_NE(m.find("truncated.json"), std::string::npos) << m;
  EXPECT_NE(m.find("not valid JSON"), std::string::npos) << m;
  m = message_of("not_results.json", "real_time");
  EXPECT_NE(m.find("not_results.json: not a benchmark result file"), std::string::npos) << m;
  m = message_of("no_time.json", "real_time");
  EXPECT_NE(m.find("no_time.json: benchmarks[1]"), std::string::npos) << m;
  EXPECT_NE(m.find("no field 'real_time'"), std::string::npos) << m;
  m = message_of("baseline.json", "rows/s");
  EXPECT_NE(m.find("baseline.json: no benchmark reports the counter 'rows/s'"), std::string::npos) << m;
  m = message_of("does_not_exist.json", "real_time");
  EXPECT_NE(m.find("does_not_exist.json: cannot open"), std::string::npos) << m;
}

TEST(Compare, ClearRegressionIsFlagged) {
  const Comparison c = compare(load("baseline.json"), load("regression.json"), {});
  EXPECT_EQ(verdict_of(c, kA), Verdict::regression);
  EXPECT_EQ(verdict_of(c, kB), Verdict::same);
  EXPECT_EQ(verdict_of(c, kC), Verdict::same);
  EXPECT_TRUE(c.has_regression());
  for (const auto& r : c.rows) {
    if (r.name == kA) {
      EXPECT_NEAR(r.ratio, 130.0 / 101.0, 1e-12);
    }
  }
}

TEST(Compare, ChangeWithinTheSpreadIsNoise) {
  const Comparison c = compare(load("baseline.json"), load("noise.json"), {});
  EXPECT_EQ(verdict_of(c, kA), Verdict::noise);  // median +7 %, repetitions overlapping
  EXPECT_FALSE(c.has_regression());
}

TEST(Compare, FasterIsAnImprovementNotARegression) {
  const Comparison c = compare(load("regression.json"), load("baseline.json"), {});
  EXPECT_EQ(verdict_of(c, kA), Verdict::improved);
  EXPECT_FALSE(c.has_regression());
}

TEST(Compare, TimeUnitsAndMinTimesDoNotMatter) {
  for (const char* other : {"other_units.json", "other_min_time.json"}) {
    const Comparison c = compare(load("baseline.json"), load(other), {});
    EXPECT_TRUE(c.missing.empty() && c.extra.empty()) << other;
    for (const auto& r : c.rows) {
      EXPECT_EQ(r.verdict, Verdict::same) << other << " " << r.name;
      EXPECT_NEAR(r.ratio, 1.0, 1e-12) << other << " " << r.name;
    }
  }
}

TEST(Compare, HigherIsBetterForFractionsOfTheRoofline) {
  CompareOptions o;
  o.higher_is_better = true;
  const Comparison c =
      compare(load("baseline.json", "fraction_of_roofline"), load("regression.json", "fraction_of_roofline"), o);
  EXPECT_EQ(verdict_of(c, kA), Verdict::regression);  // 0.395 -> 0.30
  EXPECT_EQ(verdict_of(c, kC), Verdict::same);
}

TEST(Compare, MissingAndExtraBenchmarksAreListed) {
  Comparison c = compare(load("baseline.json"), load("missing.json"), {});
  EXPECT_EQ(c.missing, std::vector<std::string>{kC});
  c = compare(load("baseline.json"), load("extra.json"), {});
  EXPECT_EQ(c.extra, std::vector<std::string>{"BM_New/real_time"});
}

TEST(Compare, ContextDifferencesAreReported) {
  ResultFile other = load("baseline.json");
  other.context["mmn_threads"] = "16";
  const Comparison c = compare(load("baseline.json"), other, {});
  ASSERT_EQ(c.context_differences.size(), 1u);
  EXPECT_EQ(c.context_differences[0], "mmn_threads: 2 -> 16");
}

TEST(CompareTool, ExitStatus) {
  const std::string base = kDir + "baseline.json ";
  ToolRun r = run_tool(base + kDir + "baseline.json");
  EXPECT_EQ(r.status, 0) << r.output;
  r = run_tool(base + kDir + "regression.json");
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("REGRESSION"), std::string::npos) << r.output;
  r = run_tool(base + kDir + "noise.json");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("noise"), std::string::npos) << r.output;
  r = run_tool(base + kDir + "regression.json --threshold 0.5");  // 29 % is within a 50 % threshold
  EXPECT_EQ(r.status, 0) << r.output;
  r = run_tool(base + kDir + "regression.json --metric fraction_of_roofline");
  EXPECT_EQ(r.status, 1) << r.output;
  r = run_tool(base + kDir + "aggregates_only.json");
  EXPECT_EQ(r.status, 1) << r.output;  // C: 401 -> 522 ms, single medians
}

TEST(CompareTool, BadInputIsAClearError) {
  const std::string base = kDir + "baseline.json ";
  ToolRun r = run_tool(base + kDir + "missing.json");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("benchmark '" + kC + "' of the baseline is missing"), std::string::npos) << r.output;
  r = run_tool(base + kDir + "missing.json --allow-missing");
  EXPECT_EQ(r.status, 0) << r.output;
  r = run_tool(base + kDir + "extra.json");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("'BM_New/real_time' is not in the baseline"), std::string::npos) << r.output;
  r = run_tool(base + kDir + "extra.json --allow-extra");
  EXPECT_EQ(r.status, 0) << r.output;
  r = run_tool(base + kDir + "truncated.json");
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("truncated.json: not valid JSON"), std::string::npos) << r.output;
  r = run_tool(base + kDir + "not_results.json");
  EXPECT_EQ(r.status, 2) << r.output;
  r = run_tool(base);
  EXPECT_NE(r.status, 0) << r.output;
}

}  // namespace
}  // namespace mmn::perf
