// The gnuplot plots of a run directory.
#include "mmn/train/plots.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "host/train/eval_report_fixture.h"
#include "mmn/train/run_directory.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

using testing::oracle;
using testing::report;

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

// Validation scores by an AUC join the AUC plot; a log-loss metric is not an AUC and stays out.
TEST(Plots, ValidationAucJoinsTheAucPlot) {
  if (!gnuplot_available()) GTEST_SKIP() << "gnuplot is not on the PATH; plots cannot be checked here";
  testing::TempDir tmp;
  {
    RunDirectory run(tmp / "run");
    for (int step = 100; step <= 300; step += 100)
      run.append_metrics({{"kind", "validation"}, {"step", step}, {"metric", "cvr_auc"}, {"value", 0.6 + step / 1e4}});
  }
  write_plots(tmp / "run", nullptr, plot_names(), 2, 2);
  EXPECT_TRUE(is_png(tmp / "run/auc.png"));
  std::ifstream points(tmp / "run/plots/validation.dat");
  const std::string text{std::istreambuf_iterator<char>(points), {}};
  EXPECT_NE(text.find("200 0.62"), std::string::npos) << text;
  std::ifstream script(tmp / "run/plots/auc.gp");
  const std::string gp{std::istreambuf_iterator<char>(script), {}};
  EXPECT_NE(gp.find("validation cvr_auc"), std::string::npos) << gp;

  {
    RunDirectory run(tmp / "logloss");
    run.append_metrics({{"kind", "validation"}, {"step", 100}, {"metric", "logloss"}, {"value", 0.3}});
  }
  write_plots(tmp / "logloss", nullptr, plot_names(), 2, 2);
  EXPECT_FALSE(std::filesystem::exists(tmp / "logloss/auc.png"));
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

}  // namespace
}  // namespace mmn
