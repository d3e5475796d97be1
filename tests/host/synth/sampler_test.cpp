#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mmn/synth/discrete.h"
#include "mmn/synth/zipf.h"
#include "mmn/util/error.h"
#include "mmn/util/rng.h"

namespace mmn::synth {
namespace {

TEST(DiscreteSampler, ProbabilitiesAreTheNormalisedWeights) {
  const std::vector<double> w = {3.0, 0.0, 1.0, 0.5, 0.0, 5.5};
  const DiscreteSampler sampler(w);
  double total = 0;
  for (std::uint32_t i = 0; i < w.size(); ++i) {
    EXPECT_NEAR(sampler.probability(i), w[i] / 10.0, 1e-8) << i;
    total += sampler.probability(i);
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_EQ(sampler.probability(1), 0.0);
  EXPECT_EQ(sampler.probability(4), 0.0);
}

TEST(DiscreteSampler, DrawsFollowTheWeightsAndNeverHitAZeroWeight) {
  const std::vector<double> w = {1, 0, 2, 3, 0, 4, 0};
  const DiscreteSampler sampler(w);
  Rng rng(9);
  std::vector<int> counts(w.size(), 0);
  const int n = 200000;
  for (int i = 0; i < n; ++i) counts[sampler(rng.next())] += 1;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double expected = n * w[i] / 10.0;
    EXPECT_NEAR(counts[i], expected, 5 * std::sqrt(expected) + 1e-9) << i;
  }
  // The extremes of the 64-bit input stay in range and avoid zero weights too.
  const std::uint64_t all_ones = ~std::uint64_t{0};
  for (const std::uint64_t r : {std::uint64_t{0}, all_ones, all_ones >> 32, all_ones << 32}) {
    const std::uint32_t i = sampler(r);
    ASSERT_LT(i, w.size());
    EXPECT_GT(w[i], 0.0);
  }
}

TEST(DiscreteSampler, RejectsBadWeights) {
  EXPECT_THROW(DiscreteSampler(std::vector<double>{}), Error);
  EXPECT_THROW(DiscreteSampler(std::vector<double>{0.0, 0.0}), Error);
  EXPECT_THROW(DiscreteSampler(std::vector<double>{1.0, -1.0}), Error);
  EXPECT_THROW(DiscreteSampler(std::vector<double>{1.0, NAN}), Error);
}

TEST(ZipfSampler, FollowsZipfsLawFromHeadToTail) {
  const double a = 1.1;
  const std::uint32_t n = 1000000;
  const ZipfSampler zipf(n, a);
  EXPECT_LT(zipf.cells(), 1000u);  // the tables stay small
  double norm = 0;
  for (std::uint32_t r = 0; r < n; ++r) norm += std::pow(r + 1.0, -a);
  double total = 0;
  for (std::uint32_t r = 0; r < n; ++r) total += zipf.probability(r);
  EXPECT_NEAR(total, 1.0, 1e-9);
  for (const std::uint32_t r : {0u, 1u, 2u, 10u, 63u, 64u, 100u, 1000u, 12345u, 500000u, 999999u}) {
    const double exact = std::pow(r + 1.0, -a) / norm;
    EXPECT_NEAR(zipf.probability(r) / exact, 1.0, 0.02) << r;
  }
  // Draws: the head's frequencies and the share of the tail.
  Rng rng(3);
  const int draws = 400000;
  int rank0 = 0, rank1 = 0, tail = 0;
  for (int i = 0; i < draws; ++i) {
    const std::uint32_t r = zipf(rng);
    ASSERT_LT(r, n);
    rank0 += r == 0;
    rank1 += r == 1;
    tail += r >= 10000;
  }
  EXPECT_NEAR(rank0, draws / norm, 5 * std::sqrt(draws / norm));
  EXPECT_NEAR(static_cast<double>(rank0) / rank1, std::pow(2.0, a), 0.05);
  double tail_mass = 0;
  for (std::uint32_t r = 10000; r < n; ++r) tail_mass += std::pow(r + 1.0, -a) / norm;
  EXPECT_NEAR(tail, draws * tail_mass, 5 * std::sqrt(draws * tail_mass));
}

TEST(ZipfSampler, HandlesTinyVocabulariesAndFlatLaws) {
  const ZipfSampler one(1, 1.2);
  Rng rng(1);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(one(rng), 0u);
  const ZipfSampler flat(300, 0.0);
  for (std::uint32_t r = 0; r < 300; ++r) EXPECT_NEAR(flat.probability(r), 1.0 / 300, 1e-9);
  EXPECT_THROW(ZipfSampler(0, 1.0), Error);
  EXPECT_THROW(ZipfSampler(10, -1.0), Error);
}

}  // namespace
}  // namespace mmn::synth
