// The plain-text report table, the gnuplot plots and the progress output.
#include "mmn/train/report_table.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "mmn/train/plots.h"
#include "mmn/train/progress.h"
#include "mmn/train/run_directory.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

EvalReport report(double shift) {
  EvalReport r;
  r.rows = 1000;
  r.ctr_auc = 0.70 + shift;
  r.cvr_auc = 0.65 + shift;
  r.ctcvr_auc = 0.68 + shift;
  r.ctr_logloss = 0.45;
  r.cvr_logloss = 0.31 - shift;
  r.domain_cvr.auc = {0.75, kNaN, kNaN, 0.6125};
  r.domain_cvr.rows = {100, 50, 0, 200};
  r.domain_cvr.positives = {10, 0, 0, 30};
  r.domain_cvr.scored = 2;
  r.domain_cvr.mean = 0.60 + shift;
  r.domain_cvr.weighted_mean = 0.62 + shift;
  r.calibration.resize(4);
  r.calibration[0] = {100, 10, 12.0};
  r.calibration[1] = {50, 0, 1.0};
  r.calibration[3] = {200, 30, 27.0};
  return r;
}

OracleFigures oracle() {
  OracleFigures o;
  o.ctr_auc = 0.8;
  o.cvr_auc = 0.75;
  o.ctcvr_auc = 0.79;
  o.ctr_logloss = 0.4;
  o.cvr_logloss = 0.25;
  o.domain_cvr.auc = {0.8, 0.7, kNaN, 0.9};
  o.domain_cvr.scored = 3;
  o.domain_cvr.mean = 0.8;
  o.domain_cvr.weighted_mean = kNaN;
  return o;
}

TEST(ReportTable, ColumnsPerRunAndOracleWithGaps) {
  EvalReport mmn = report(0.05);
  mmn.oracle = oracle();
  EvalReport shared = report(0.0);
  shared.oracle = oracle();
  shared.ctcvr_auc = kNaN;
  const std::string table = format_eval_table("test set", {{"mmn", mmn}, {"shared", shared}});
  EXPECT_EQ(table,
            "test set\n"
            "metric                                          mmn   shared   oracle\n"
            "---------------------------------------------------------------------\n"
            "CTR AUC                                      0.7500   0.7000   0.8000\n"
            "CVR AUC (clicked)                            0.7000   0.6500   0.7500\n"
            "CTCVR AUC                                    0.7300        -   0.7900\n"
            "mean per-domain CVR AUC                      0.6500   0.6000   0.8000\n"
            "traffic-weighted per-domain CVR AUC          0.6700   0.6200        -\n"
            "domains scored                                  2/4      2/4      3/4\n"
            "CTR logloss                                 0.45000  0.45000  0.40000\n"
            "CVR logloss                                 0.26000  0.31000  0.25000\n"
            "gap to oracle, mean per-domain CVR AUC      +0.1500  +0.2000\n"
            "gap to oracle, weighted per-domain CVR AUC        -        -\n");
}

TEST(ReportTable, NoOracleColumnWithoutOracleFigures) {
  const std::string table = format_eval_table("heldout", {{"mmn-sum", report(0.01)}});
  EXPECT_EQ(table.find("oracle"), std::string::npos) << table;
  EXPECT_NE(table.find("mmn-sum"), std::string::npos) << table;
  EXPECT_NE(table.find("CTR AUC                               0.7100\n"), std::string::npos) << table;
  EXPECT_NE(table.find("mean per-domain CVR AUC               0.6100\n"), std::string::npos) << table;
}

// ---------------------------------------------------------------------------------------------
// Plots

bool is_png(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  in.read(head, 8);
  return in.gcount() == 8 && std::string(head, 8) == std::string("\x89PNG\r\n\x1a\n", 8);
}

void write_synthetic_run(const std::string& dir) {
  RunDirectory run(dir);
  for (int step = 10; step <= 200; step += 10)
    run.append_metrics({{"kind", "train"}, {"step", step}, {"loss", 1.0 / step + 0.2}});
  for (int step = 50; step <= 200; step += 50) {
    EvalReport r = report(step / 2000.0);
    r.oracle = oracle();
    nlohmann::json line = eval_report_json(r);
    line["kind"] = "eval";
    line["step"] = step;
    run.append_metrics(line);
  }
}

Dictionaries plot_names() {
  Dictionaries d;
  d.types = {"purchase", "sign'up"};
  d.scenarios = {"home", "search_ads"};
  return d;
}

const char* const kPngs[] = {"loss.png", "auc.png", "domain_auc_heatmap.png", "calibration.png"};

TEST(Plots, WritesEveryPngWhenGnuplotIsInstalled) {
  if (!gnuplot_available()) GTEST_SKIP() << "gnuplot is not on the PATH; plots cannot be checked here";
  testing::TempDir tmp;
  write_synthetic_run(tmp / "run");
  const EvalReport final_test = report(0.1);
  ::testing::internal::CaptureStderr();
  write_plots(tmp / "run", &final_test, plot_names(), 2, 2);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("warning"), std::string::npos) << err;
  for (const char* png : kPngs) {
    EXPECT_TRUE(is_png(tmp / ("run/" + std::string(png)))) << png << "\n" << err;
  }
  EXPECT_TRUE(std::filesystem::exists(tmp / "run/plots/loss.dat"));
  EXPECT_TRUE(std::filesystem::exists(tmp / "run/plots/domain_auc.dat"));
}

// Sets PATH for one scope.
class ScopedPath {
 public:
  explicit ScopedPath(const std::string& path) {
    if (const char* old = std::getenv("PATH")) old_ = old;
    ::setenv("PATH", path.c_str(), 1);
  }
  ~ScopedPath() { ::setenv("PATH", old_.c_str(), 1); }

 private:
  std::string old_;
};

TEST(Plots, WithoutGnuplotPrintsOneLineAndWritesNothing) {
  testing::TempDir tmp;
  write_synthetic_run(tmp / "run");
  const EvalReport final_test = report(0.1);
  std::filesystem::create_directories(tmp / "empty");
  ScopedPath path(tmp / "empty");
  EXPECT_FALSE(gnuplot_available());
  ::testing::internal::CaptureStderr();
  write_plots(tmp / "run", &final_test, plot_names(), 2, 2);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "plots: gnuplot not found on the PATH; PNG plots skipped\n");
  for (const char* png : kPngs) EXPECT_FALSE(std::filesystem::exists(tmp / ("run/" + std::string(png)))) << png;
}

TEST(Plots, AFailingGnuplotIsAWarningNotACrash) {
  testing::TempDir tmp;
  write_synthetic_run(tmp / "run");
  const EvalReport final_test = report(0.1);
  std::filesystem::create_directories(tmp / "bin");
  const std::string fake = tmp / "bin/gnuplot";
  std::ofstream(fake) << "#!/bin/sh\necho 'broken gnuplot' >&2\nexit 3\n";
  ::chmod(fake.c_str(), 0755);
  ScopedPath path(tmp / "bin");
  ::testing::internal::CaptureStderr();
  write_plots(tmp / "run", &final_test, plot_names(), 2, 2);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("warning: plots: gnuplot failed on"), std::string::npos) << err;
  EXPECT_NE(err.find("exit status 3"), std::string::npos) << err;
  std::ifstream log(tmp / "run/plots/gnuplot.log");
  std::string first;
  std::getline(log, first);
  EXPECT_EQ(first, "broken gnuplot");
}

// ---------------------------------------------------------------------------------------------
// Progress

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

TEST(Progress, PlainLinesEveryLogEverySteps) {
  std::ostringstream out;
  Progress p(10, out, false, 3);
  for (std::uint64_t s = 1; s <= 10; ++s) p.update(s, 12345.0, 0.5);
  p.finish();
  p.finish();
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 4u) << out.str();
  EXPECT_EQ(lines[0].rfind("step 3/10  12.3k samples/s  loss 0.50000  ETA ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[2].rfind("step 9/10", 0), 0u) << lines[2];
  EXPECT_EQ(lines[3], "step 10/10  12.3k samples/s  loss 0.50000  ETA 0s");
  EXPECT_EQ(out.str().find('\r'), std::string::npos);
}

TEST(Progress, TerminalBarIsRedrawnInPlaceAndThrottled) {
  std::ostringstream out;
  Progress p(1000, out, true, 50);
  for (std::uint64_t s = 1; s <= 1000; ++s) p.update(s, 2.5e6, 0.25);
  p.finish();
  const std::string text = out.str();
  const auto redraws = std::count(text.begin(), text.end(), '\r');
  EXPECT_GE(redraws, 2);
  EXPECT_LE(redraws, 8) << "not throttled";
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_EQ(text.back(), '\n');
  const std::string last = text.substr(text.rfind('\r') + 1);
  EXPECT_EQ(last, "[########################] 100% step 1000/1000  2.50M samples/s  loss 0.25000  ETA 0s\n");
}

TEST(Progress, FormatsDurationsAndRates) {
  EXPECT_EQ(Progress::format_duration(42.4), "42s");
  EXPECT_EQ(Progress::format_duration(185), "3m05s");
  EXPECT_EQ(Progress::format_duration(3720), "1h02m");
  EXPECT_EQ(Progress::format_duration(-1), "?");
  EXPECT_EQ(Progress::format_rate(950), "950");
  EXPECT_EQ(Progress::format_rate(12345), "12.3k");
  EXPECT_EQ(Progress::format_rate(4.56e6), "4.56M");
}

}  // namespace
}  // namespace mmn
