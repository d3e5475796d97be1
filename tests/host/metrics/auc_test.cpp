#include "mmn/metrics/auc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mmn/metrics/domain_auc.h"

namespace mmn {
namespace {

// O(n^2) definition: fraction of (positive, negative) pairs ordered right, ties one half.
double pairwise_auc(const std::vector<float>& s, const std::vector<std::uint8_t>& y) {
  double good = 0, pairs = 0;
  for (std::size_t i = 0; i < s.size(); ++i)
    for (std::size_t j = 0; j < s.size(); ++j)
      if (y[i] == 1 && y[j] == 0) {
        pairs += 1;
        good += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
      }
  return good / pairs;
}

TEST(Auc, MatchesPairwiseDefinitionWithManyTies) {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<float> s(300);
    std::vector<std::uint8_t> y(300);
    for (std::size_t i = 0; i < s.size(); ++i) {
      s[i] = static_cast<float>(rng() % 13);  // heavy ties
      y[i] = (rng() % 3 == 0) ? 1 : 0;
    }
    EXPECT_NEAR(auc(s, y), pairwise_auc(s, y), 1e-12);
  }
}

TEST(Auc, KnownFigures) {
  EXPECT_DOUBLE_EQ(auc({0.1f, 0.2f, 0.8f, 0.9f}, {0, 0, 1, 1}), 1.0);
  EXPECT_DOUBLE_EQ(auc({0.9f, 0.8f, 0.2f, 0.1f}, {0, 0, 1, 1}), 0.0);
  EXPECT_DOUBLE_EQ(auc({0.5f, 0.5f, 0.5f, 0.5f}, {0, 1, 0, 1}), 0.5);
  EXPECT_DOUBLE_EQ(auc({0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}), 0.75);
  EXPECT_TRUE(std::isnan(auc({0.1f, 0.2f}, {1, 1})));
}

TEST(LogLoss, KnownFigure) {
  const std::vector<float> p = {0.5f, 0.25f};
  const std::vector<std::uint8_t> y = {1, 0};
  EXPECT_NEAR(log_loss(p.data(), y.data(), 2), (std::log(2.0) - std::log(0.75)) / 2, 1e-7);
}

TEST(DomainAuc, ScoresOnlyDomainsWithEnoughOfEachClassAndAveragesThem) {
  std::vector<float> s;
  std::vector<std::uint8_t> y;
  std::vector<std::uint32_t> d;
  // Domain 0: perfect ranking, 20 rows. Domain 1: reversed, 40 rows. Domain 2: too few positives.
  for (int i = 0; i < 20; ++i) s.push_back(static_cast<float>(i)), y.push_back(i >= 10), d.push_back(0);
  for (int i = 0; i < 40; ++i) s.push_back(static_cast<float>(i)), y.push_back(i < 20), d.push_back(1);
  for (int i = 0; i < 30; ++i) s.push_back(static_cast<float>(i)), y.push_back(i == 0), d.push_back(2);
  const DomainAuc r = domain_auc(s, y, d, 4, 10);
  EXPECT_EQ(r.scored, 2u);
  EXPECT_DOUBLE_EQ(r.auc[0], 1.0);
  EXPECT_DOUBLE_EQ(r.auc[1], 0.0);
  EXPECT_TRUE(std::isnan(r.auc[2]));
  EXPECT_TRUE(std::isnan(r.auc[3]));
  EXPECT_DOUBLE_EQ(r.mean, 0.5);
  EXPECT_DOUBLE_EQ(r.weighted_mean, 20.0 / 60.0);
  EXPECT_EQ(r.rows[2], 30u);
  EXPECT_EQ(r.positives[2], 1u);
}

}  // namespace
}  // namespace mmn
