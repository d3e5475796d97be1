#include "mmn/synth/random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mmn/synth/det_math.h"

namespace mmn::synth {
namespace {

TEST(SynthRandom, SplitMix64MatchesTheReferenceSequence) {
  // splitmix64 seeded with 0: the first outputs of the reference implementation.
  std::uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(state), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(splitmix64(state), 0x06c45d188009454fULL);
}

TEST(SynthRandom, StreamsDependOnSeedPurposeAndIndexOnly) {
  Rng a(5, Stream::rows, 3), b(5, Stream::rows, 3), c(5, Stream::rows, 4), d(6, Stream::rows, 3),
      e(5, Stream::latent, 3);
  const std::uint64_t first = a.next();
  EXPECT_EQ(first, b.next());
  EXPECT_NE(first, c.next());
  EXPECT_NE(first, d.next());
  EXPECT_NE(first, e.next());
}

TEST(SynthRandom, UniformBelowAndNormalHaveTheirMoments) {
  Rng rng(42);
  const int n = 200000;
  double sum = 0, sum_sq = 0, usum = 0;
  double asum = 0, asum_sq = 0;
  std::vector<int> counts(7, 0);
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    usum += u;
    const double z = rng.normal();
    sum += z;
    sum_sq += z * z;
    const double a = rng.approx_normal();
    ASSERT_LT(std::fabs(a), 3.47);
    asum += a;
    asum_sq += a * a;
    const std::uint64_t k = rng.below(7);
    ASSERT_LT(k, 7u);
    counts[k] += 1;
  }
  EXPECT_NEAR(usum / n, 0.5, 0.005);
  EXPECT_NEAR(sum / n, 0.0, 0.01);
  EXPECT_NEAR(sum_sq / n, 1.0, 0.015);
  EXPECT_NEAR(asum / n, 0.0, 0.01);
  EXPECT_NEAR(asum_sq / n, 1.0, 0.015);
  for (const int c : counts) EXPECT_NEAR(c, n / 7.0, 5 * std::sqrt(n / 7.0));
}

TEST(SynthRandom, ShuffleIsAPermutation) {
  Rng rng(1);
  std::vector<int> v(100);
  for (int i = 0; i < 100; ++i) v[i] = i;
  shuffle(v.data(), v.size(), rng);
  std::vector<int> seen(100, 0);
  int moved = 0;
  for (int i = 0; i < 100; ++i) {
    seen[v[i]] += 1;
    moved += v[i] != i;
  }
  for (const int s : seen) EXPECT_EQ(s, 1);
  EXPECT_GT(moved, 80);
}

TEST(SynthDetMath, AgreesWithTheStandardLibraryToRounding) {
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
}  // namespace mmn::synth
