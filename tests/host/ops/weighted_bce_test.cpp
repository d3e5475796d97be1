#include "mmn/ops/weighted_bce.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "mmn/util/error.h"

namespace mmn {
namespace {

struct Batch {
  std::vector<float> a, b;
  std::vector<std::uint8_t> click, conv;
  std::vector<std::uint32_t> domain;
};

Batch random_batch(std::size_t n, std::uint32_t domains, std::uint32_t seed, float scale = 2.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  Batch x;
  for (std::size_t i = 0; i < n; ++i) {
    x.a.push_back(normal(rng));
    x.b.push_back(normal(rng));
    x.click.push_back(rng() % 2);
    x.conv.push_back(x.click.back() != 0 && rng() % 2 == 0);
    x.domain.push_back(rng() % domains);
  }
  return x;
}

// Probability-space reference in double: BCE of p against a 0/1 label.
double bce(double p, double y) { return -(y * std::log(p) + (1 - y) * std::log(1 - p)); }
double sig(double z) { return 1 / (1 + std::exp(-z)); }

LossOptions options_of(CvrMode mode, bool dynamic, float lambda, DomainWeightNorm norm = DomainWeightNorm::mean) {
  LossOptions o{mode, lambda, dynamic};
  o.dynamic_weight_norm = norm;
  return o;
}

LossValue run(const Batch& x, const LossOptions& options, std::vector<float>* ga = nullptr,
              std::vector<float>* gb = nullptr) {
  const LossCounts c = count_loss_rows(x.click.data(), x.domain.data(), x.a.size(), 5, options.cvr_mode);
  std::vector<float> da(x.a.size()), db(x.a.size());
  const LossValue v = weighted_bce(x.a.data(), x.b.data(), x.click.data(), x.conv.data(), x.domain.data(), x.a.size(),
                                   c, options, da.data(), db.data());
  if (ga != nullptr) *ga = da;
  if (gb != nullptr) *gb = db;
  return v;
}
LossValue run(const Batch& x, CvrMode mode, bool dynamic, float lambda, std::vector<float>* ga = nullptr,
              std::vector<float>* gb = nullptr) {
  return run(x, options_of(mode, dynamic, lambda), ga, gb);
}

// The paper's form sums the domains' mean losses; the default ("mean") averages them over the
// domains present; without dynamic weight it is the plain mean over the rows.
TEST(WeightedBce, CvrLossIsTheSumOrTheMeanOverPresentDomainsOfEachDomainsMeanLoss) {
  const Batch x = random_batch(200, 5, 1);
  for (CvrMode mode : {CvrMode::ctcvr, CvrMode::clicked}) {
    std::map<std::uint32_t, std::pair<double, int>> per_domain;
    double ctr = 0;
    for (std::size_t i = 0; i < x.a.size(); ++i) {
      ctr += bce(sig(x.a[i]), x.click[i]) / static_cast<double>(x.a.size());
      if (mode == CvrMode::clicked && x.click[i] == 0) continue;
      const double p = mode == CvrMode::ctcvr ? sig(x.a[i]) * sig(x.b[i]) : sig(x.b[i]);
      per_domain[x.domain[i]].first += bce(p, x.conv[i]);
      per_domain[x.domain[i]].second += 1;
    }
    double expected = 0, plain = 0;
    int counted = 0;
    for (const auto& [d, s] : per_domain) {
      expected += s.first / s.second;
      plain += s.first;
      counted += s.second;
    }
    ASSERT_EQ(per_domain.size(), 5u);
    const LossValue v = run(x, options_of(mode, true, 0.7f, DomainWeightNorm::paper));
    EXPECT_NEAR(v.ctr, ctr, 1e-9);
    EXPECT_NEAR(v.cvr, expected, 1e-9);
    EXPECT_NEAR(v.total, ctr + static_cast<double>(0.7f) * expected, 1e-9);
    EXPECT_NEAR(run(x, mode, true, 0.7f).cvr, expected / 5, 1e-9);
    EXPECT_NEAR(run(x, mode, false, 0.7f).cvr, plain / counted, 1e-9);
  }
}

TEST(WeightedBce, DynamicWeightIsBatchSizeOverDomainCount) {
  // The per-row weight w_i = N / N^d (paper), N / (D N^d) (mean) shows in the gradient: with
  // all logits equal, a row's CVR gradient is w_i times the unweighted row's.
  Batch x = random_batch(60, 5, 2);
  for (auto& b : x.b) b = 0.3f;
  for (auto& a : x.a) a = -0.2f;
  std::vector<float> g_paper, g_mean, g_plain, unused;
  run(x, options_of(CvrMode::ctcvr, true, 1.0f, DomainWeightNorm::paper), &unused, &g_paper);
  run(x, CvrMode::ctcvr, true, 1.0f, &unused, &g_mean);
  run(x, CvrMode::ctcvr, false, 1.0f, &unused, &g_plain);
  const LossCounts c = count_loss_rows(x.click.data(), x.domain.data(), 60, 5, CvrMode::ctcvr);
  for (std::size_t i = 0; i < 60; ++i) {
    const double w = 60.0 / static_cast<double>(c.cvr_domain[x.domain[i]]);
    EXPECT_NEAR(g_paper[i], w * g_plain[i], 1e-6 * std::abs(g_paper[i]) + 1e-9);
    EXPECT_NEAR(g_mean[i], w / 5 * g_plain[i], 1e-6 * std::abs(g_mean[i]) + 1e-9);
  }
}

// Domains 0..3 with 1, 3, 12 and 0 rows in the batch; the training data holds 10, 1000, 100
// and 5 rows of them.
LossCounts skewed_counts() {
  LossCounts c;
  c.cvr_domain = {1, 3, 12, 0};
  c.cvr_rows = c.rows = 16;
  c.data_domain = {10, 1000, 100, 5};
  return c;
}

double row_weight_sum(const LossCounts& c, const LossScales& s) {
  double sum = 0;
  for (std::size_t d = 0; d < c.cvr_domain.size(); ++d) sum += static_cast<double>(c.cvr_domain[d]) * s.cvr_domain[d];
  return sum;
}

TEST(LossScales, PowerMovesFromEveryRowToEveryDomainWeighingTheSame) {
  const LossCounts c = skewed_counts();
  LossOptions o;
  o.dynamic_weight = true;
  o.dynamic_weight_power = 0.0f;
  for (const double v : {loss_scales(c, o).cvr_domain[0], loss_scales(c, o).cvr_domain[2]}) EXPECT_NEAR(v, 1.0 / 16, 1e-15);
  o.dynamic_weight_power = 1.0f;
  const LossScales one = loss_scales(c, o);
  for (std::size_t d = 0; d < 3; ++d) EXPECT_NEAR(one.cvr_domain[d] * static_cast<double>(c.cvr_domain[d]), 1.0 / 3, 1e-15);
  EXPECT_EQ(one.cvr_domain[3], 0.0);
  o.dynamic_weight_power = 0.5f;
  const LossScales half = loss_scales(c, o);
  const double z = 1 * 1.0 + 3 / std::sqrt(3.0) + 12 / std::sqrt(12.0);
  EXPECT_NEAR(half.cvr_domain[0], 1.0 / z, 1e-15);
  EXPECT_NEAR(half.cvr_domain[1], 1.0 / std::sqrt(3.0) / z, 1e-15);
  EXPECT_NEAR(row_weight_sum(c, half), 1.0, 1e-15);
  EXPECT_NEAR(loss_scales(c, o).ctr, 1.0 / 16, 1e-15);
}

// w_ctr scales the CTR part of the loss and its gradient, and nothing of the CVR part.
TEST(LossScales, CtrWeightScalesTheCtrLossOnly) {
  const LossCounts c = skewed_counts();
  LossOptions o;
  const LossScales plain = loss_scales(c, o);
  o.ctr_weight = 2.5f;
  const LossScales weighted = loss_scales(c, o);
  EXPECT_NEAR(weighted.ctr, 2.5 / 16, 1e-15);
  EXPECT_EQ(weighted.cvr_domain, plain.cvr_domain);
}

TEST(LossScales, DataCountsReplaceTheBatchCountsAndTheirAbsenceIsAnError) {
  LossCounts c = skewed_counts();
  LossOptions o;
  o.dynamic_weight = true;
  o.dynamic_weight_counts = DomainCountSource::data;
  const LossScales s = loss_scales(c, o);
  const double z = 1 / 10.0 + 3 / 1000.0 + 12 / 100.0;
  EXPECT_NEAR(s.cvr_domain[0], 0.1 / z, 1e-15);
  EXPECT_NEAR(s.cvr_domain[1], 0.001 / z, 1e-15);
  EXPECT_NEAR(s.cvr_domain[2], 0.01 / z, 1e-15);
  EXPECT_EQ(s.cvr_domain[3], 0.0);  // in the data, not in this batch
  c.data_domain.clear();
  EXPECT_THROW(loss_scales(c, o), Error);
}

TEST(LossScales, CapBoundsEveryRowsWeightAndKeepsTheSum) {
  const LossCounts c = skewed_counts();
  LossOptions o;
  o.dynamic_weight = true;
  o.dynamic_weight_cap = 2.0f;
  const LossScales s = loss_scales(c, o);
  // Uncapped: domain 0's single row weighs 1/3 = 5.3 / 16; capped at 2 / 16.
  EXPECT_NEAR(s.cvr_domain[0], 2.0 / 16, 1e-15);
  EXPECT_NEAR(s.cvr_domain[1], 2.0 / 16, 1e-15);  // 1/9 > 2/16 once domain 0 is cut: cut as well
  EXPECT_NEAR(s.cvr_domain[2] * 12, 1.0 - 8.0 / 16, 1e-15);
  EXPECT_NEAR(row_weight_sum(c, s), 1.0, 1e-15);
  o.dynamic_weight_cap = 1.0f;  // nothing above the plain mean: the plain mean
  for (std::size_t d = 0; d < 3; ++d) EXPECT_NEAR(loss_scales(c, o).cvr_domain[d], 1.0 / 16, 1e-15);
}

TEST(LossScales, PaperFormIsTheMeanFormTimesThePresentDomains) {
  const LossCounts c = skewed_counts();
  LossOptions mean, paper;
  mean.dynamic_weight = paper.dynamic_weight = true;
  paper.dynamic_weight_norm = DomainWeightNorm::paper;
  for (std::size_t d = 0; d < 4; ++d)
    EXPECT_NEAR(loss_scales(c, paper).cvr_domain[d], 3 * loss_scales(c, mean).cvr_domain[d], 1e-15);
  EXPECT_NEAR(loss_scales(c, paper).cvr_domain[0], 1.0, 1e-15);  // w_i = N / N^d: 1/N^d
}

TEST(WeightedBce, GradientMatchesCentralDifferences) {
  const Batch x = random_batch(40, 5, 3);
  for (CvrMode mode : {CvrMode::ctcvr, CvrMode::clicked})
    for (int variant = 0; variant < 3; ++variant) {
      LossOptions options = options_of(mode, variant != 0, 1.3f,
                                       variant == 2 ? DomainWeightNorm::paper : DomainWeightNorm::mean);
      std::vector<float> ga, gb;
      run(x, options, &ga, &gb);
      for (std::size_t i = 0; i < x.a.size(); ++i)
        for (int which = 0; which < 2; ++which) {
          const double eps = 1e-3;
          Batch hi = x, lo = x;
          (which == 0 ? hi.a : hi.b)[i] += static_cast<float>(eps);
          (which == 0 ? lo.a : lo.b)[i] -= static_cast<float>(eps);
          const double fd = (run(hi, options).total - run(lo, options).total) / (2 * eps);
          const double an = which == 0 ? ga[i] : gb[i];
          EXPECT_NEAR(an, fd, 2e-4 * std::abs(fd) + 2e-5) << "row " << i << (which == 0 ? " ctr" : " cvr");
        }
    }
}

TEST(WeightedBce, FiniteAndCorrectForExtremeLogits) {
  Batch x;
  for (float a : {-100.0f, 100.0f})
    for (float b : {-100.0f, 100.0f})
      for (std::uint8_t click : {0, 1})
        for (std::uint8_t conv : {0, 1}) {
          if (conv > click) continue;
          x.a.push_back(a), x.b.push_back(b), x.click.push_back(click), x.conv.push_back(conv), x.domain.push_back(0);
        }
  for (CvrMode mode : {CvrMode::ctcvr, CvrMode::clicked}) {
    std::vector<float> ga, gb;
    const LossValue v = run(x, mode, true, 1.0f, &ga, &gb);
    EXPECT_TRUE(std::isfinite(v.total));
    for (std::size_t i = 0; i < ga.size(); ++i) {
      EXPECT_TRUE(std::isfinite(ga[i]) && std::isfinite(gb[i]));
      EXPECT_LE(std::abs(ga[i]), 2.0f);
      EXPECT_LE(std::abs(gb[i]), 2.0f);
    }
  }
  // A confident right answer costs ~0; a confident wrong one ~100 per unit weight.
  Batch one;
  one.a = {100.0f}, one.b = {100.0f}, one.click = {1}, one.conv = {0}, one.domain = {0};
  const LossValue wrong = run(one, CvrMode::ctcvr, true, 1.0f);
  EXPECT_NEAR(wrong.cvr, 100.0 - std::log(2.0), 1e-6);
  EXPECT_NEAR(wrong.ctr, 0.0, 1e-12);
}

}  // namespace
}  // namespace mmn
