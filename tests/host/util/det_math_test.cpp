#include "mmn/util/det_math.h"

#include <gtest/gtest.h>

#include <cmath>

namespace mmn {
namespace {

TEST(DetMath, AgreesWithTheStandardLibraryToRounding) {
  for (double x = -700.0; x <= 700.0; x += 0.3721) {
    const double want = std::exp(x);
    EXPECT_NEAR(exp_det(x), want, 4e-16 * want) << x;
  }
  for (double x = 1e-300; x < 1e300; x *= 3.7) {
    const double want = std::log(x);
    EXPECT_NEAR(log_det(x), want, 4e-16 * std::fabs(want) + 1e-300) << x;
  }
  for (double x = 0.5; x < 2.0; x += 0.001) EXPECT_NEAR(log_det(x), std::log(x), 3e-16) << x;
  EXPECT_EQ(exp_det(0.0), 1.0);
  EXPECT_EQ(log_det(1.0), 0.0);
  EXPECT_EQ(exp_det(-1000.0), 0.0);
  EXPECT_TRUE(std::isinf(exp_det(1000.0)));
  EXPECT_TRUE(std::isnan(log_det(-1.0)));
  EXPECT_NEAR(pow_det(10.0, 0.3), std::pow(10.0, 0.3), 1e-15);
  EXPECT_NEAR(sigmoid_det(0.0), 0.5, 1e-17);
  EXPECT_NEAR(sigmoid_det(-40.0), 1.0 / (1.0 + std::exp(40.0)), 1e-30);
  EXPECT_NEAR(sigmoid_det(3.0), 1.0 / (1.0 + std::exp(-3.0)), 1e-16);
  EXPECT_NEAR(logit_det(0.25), std::log(1.0 / 3.0), 1e-15);
}

}  // namespace
}  // namespace mmn
