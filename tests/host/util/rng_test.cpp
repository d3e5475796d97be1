#include "mmn/util/rng.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace mmn {
namespace {

TEST(Rng, SplitMix64MatchesTheReferenceSequence) {
  // splitmix64 seeded with 0: the first outputs of the reference implementation.
  std::uint64_t state = 0;
  EXPECT_EQ(splitmix64(state), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(splitmix64(state), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(splitmix64(state), 0x06c45d188009454fULL);
}

TEST(Rng, StreamsDependOnSeedPurposeAndIndexOnly) {
  Rng a(5, RngStream::rows, 3), b(5, RngStream::rows, 3), c(5, RngStream::rows, 4), d(6, RngStream::rows, 3),
      e(5, RngStream::latent, 3);
  const std::uint64_t first = a.next();
  EXPECT_EQ(first, b.next());
  EXPECT_NE(first, c.next());
  EXPECT_NE(first, d.next());
  EXPECT_NE(first, e.next());
}

TEST(Rng, UniformBelowAndNormalHaveTheirMoments) {
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

TEST(Rng, ShuffleIsAPermutation) {
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

}  // namespace
}  // namespace mmn
