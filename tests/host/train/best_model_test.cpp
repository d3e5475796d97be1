#include "mmn/train/best_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "mmn/comm/communicator.h"
#include "mmn/util/error.h"
#include "testing/error_of.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(BestModelTracker, KeepsTheHighestScoreAndRunsOutOfPatience) {
  BestModelTracker t(2);
  EXPECT_TRUE(t.observe(10, 0.60));
  EXPECT_FALSE(t.observe(20, 0.59));
  EXPECT_FALSE(t.out_of_patience());
  EXPECT_TRUE(t.observe(30, 0.61));  // a better one resets the count
  EXPECT_FALSE(t.observe(40, kNaN));  // never the best
  EXPECT_FALSE(t.observe(50, 0.61));  // equal is not better
  EXPECT_TRUE(t.out_of_patience());
  EXPECT_EQ(t.best().step, 30u);
  EXPECT_DOUBLE_EQ(t.best().value, 0.61);
}

TEST(BestModelTracker, PatienceZeroNeverStopsAndANaNFirstIsNotABest) {
  BestModelTracker t(0);
  EXPECT_FALSE(t.observe(1, kNaN));
  EXPECT_EQ(t.best().step, 0u);
  for (int i = 2; i < 50; ++i) t.observe(i, -1.0 * i);
  EXPECT_FALSE(t.out_of_patience());
  EXPECT_EQ(t.best().step, 2u);
}

TEST(BestModelTracker, BestJsonRoundTripsAndABrokenOneIsAnError) {
  testing::TempDir tmp;
  const auto comm = make_local_communicator();
  EXPECT_EQ(read_best(tmp.str(), *comm).step, 0u);  // none yet
  std::filesystem::create_directories(tmp / "checkpoints/best");
  write_best(tmp.str(), ValidationMetric::cvr_auc, {120, 0.75, "checkpoints/best/ckpt-120", 2});
  const BestSoFar back = read_best(tmp.str(), *comm);
  EXPECT_EQ(back.step, 120u);
  EXPECT_DOUBLE_EQ(back.value, 0.75);
  EXPECT_EQ(back.checkpoint, "checkpoints/best/ckpt-120");
  EXPECT_EQ(back.since_best, 2u);  // a resumed run keeps counting toward its patience
  EXPECT_TRUE(BestModelTracker(2, back).out_of_patience());
  EXPECT_FALSE(BestModelTracker(3, back).out_of_patience());
  std::ofstream(tmp / "checkpoints/best/best.json") << "{\"step\": 5}";
  const std::string message = testing::error_of([&] { read_best(tmp.str(), *comm); });
  EXPECT_NE(message.find("best.json: not a best-checkpoint record"), std::string::npos) << message;
}

}  // namespace
}  // namespace mmn
