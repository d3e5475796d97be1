#include "mmn/synth/ground_truth.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mmn/synth/discrete.h"
#include "mmn/synth/generator.h"
#include "mmn/util/rng.h"
#include "mmn/util/thread_pool.h"

namespace mmn::synth {
namespace {

struct Rows {
  std::vector<std::uint32_t> ids;
  std::vector<float> dense;
  std::size_t n = 0;
};

// Feature rows of scenario s, from a stream of their own.
Rows draw_rows(const Generator& g, std::uint32_t s, std::size_t n, std::uint64_t seed) {
  Rows r;
  r.n = n;
  const std::size_t f = g.features().n_categorical(), d = g.features().n_dense();
  r.ids.resize(n * f);
  r.dense.resize(n * d);
  Rng rng(seed);
  for (std::size_t i = 0; i < n; ++i) g.features().draw(rng, s, &r.ids[i * f], &r.dense[i * d]);
  return r;
}

std::vector<double> cvr_logits(const Generator& g, const Rows& rows, std::uint32_t t, std::uint32_t s) {
  const std::size_t f = g.features().n_categorical(), d = g.features().n_dense();
  std::vector<double> z(rows.n);
  for (std::size_t i = 0; i < rows.n; ++i) z[i] = g.truth().logits(&rows.ids[i * f], &rows.dense[i * d], t, s).cvr;
  return z;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= a.size();
  mb /= b.size();
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

double sd_of_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0, m2 = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double x = a[i] - b[i];
    m += x;
    m2 += x * x;
  }
  m /= a.size();
  return std::sqrt(m2 / a.size() - m * m);
}

TEST(GroundTruth, CvrEffectsOfTheFeaturesDifferByTypeAndByScenario) {
  ThreadPool pool(2);
  const Generator g(tiny_preset(), 4, {}, &pool);
  const Rows rows = draw_rows(g, 1, 20000, 77);
  // Same features, two types in one scenario: not just a shift of the logit.
  const auto t0 = cvr_logits(g, rows, 0, 1), t1 = cvr_logits(g, rows, 1, 1), t2 = cvr_logits(g, rows, 2, 1);
  EXPECT_LT(correlation(t0, t1), 0.95);
  EXPECT_LT(correlation(t1, t2), 0.95);
  EXPECT_GT(sd_of_difference(t0, t1), 0.3);
  // Same features, one type in two scenarios (the scenario's own feature effect).
  const auto s3 = cvr_logits(g, rows, 1, 3);
  EXPECT_LT(correlation(t1, s3), 0.97);
  EXPECT_GT(sd_of_difference(t1, s3), 0.2);
  // But the shared part makes the domains related.
  EXPECT_GT(correlation(t0, t1), 0.2);
}

TEST(GroundTruth, CtrDependsOnScenarioAndFeaturesNotOnType) {
  ThreadPool pool(2);
  const Generator g(tiny_preset(), 4, {}, &pool);
  const Rows rows = draw_rows(g, 2, 2000, 5);
  const std::size_t f = g.features().n_categorical(), d = g.features().n_dense();
  double spread = 0;
  for (std::size_t i = 0; i < rows.n; ++i) {
    const double a = g.truth().logits(&rows.ids[i * f], &rows.dense[i * d], 0, 2).ctr;
    EXPECT_EQ(a, g.truth().logits(&rows.ids[i * f], &rows.dense[i * d], 2, 2).ctr);
    spread += std::fabs(a - g.truth().logits(&rows.ids[i * f], &rows.dense[i * d], 0, 0).ctr);
  }
  EXPECT_GT(spread / rows.n, 0.05);
}

// learnable_vocab scales the weight of a field with a larger vocabulary by
// sqrt(learnable_vocab / vocab) before the weights are normalised; smaller fields keep theirs.
TEST(GroundTruth, LearnableVocabularyTakesWeightFromHugeFields) {
  ThreadPool pool(2);
  SynthConfig c;
  c.categorical = {{"small", 50, 1.1, false}, {"medium", 1000, 1.1, false}, {"huge", 100000, 1.1, false}};
  c.n_dense = 0;
  const Generator plain(c, 4, {}, &pool);
  c.learnable_vocab = 1000;
  const Generator learnable(c, 4, {}, &pool);
  auto ratio = [](const Generator& g, std::size_t a, std::size_t b) {
    return g.truth().field_weight(a) / g.truth().field_weight(b);
  };
  EXPECT_NEAR(ratio(learnable, 2, 0), 0.1 * ratio(plain, 2, 0), 1e-6);
  EXPECT_NEAR(ratio(learnable, 1, 0), ratio(plain, 1, 0), 1e-6);
  double sum_sq = 0;  // the categorical fields still give phi unit variance per coordinate
  for (std::size_t f = 0; f < 3; ++f) sum_sq += std::pow(learnable.truth().field_weight(f), 2);
  EXPECT_NEAR(sum_sq, 1.0, 1e-5);
}

TEST(GroundTruth, InterceptsAreCalibratedToTheConfiguredRates) {
  ThreadPool pool(2);
  const Generator g(criteo_like_preset(), 9, {}, &pool);
  const DomainPlan& plan = g.plan();
  const std::size_t f = g.features().n_categorical(), d = g.features().n_dense();
  std::vector<std::uint32_t> ids(f);
  std::vector<float> dense(d);
  // Fresh rows (not the calibration sample): the mean CTR.
  const DiscreteSampler domains(plan.traffic);
  Rng rng(12345);
  double ctr = 0;
  const int n = 40000;
  for (int i = 0; i < n; ++i) {
    const std::uint32_t dom = domains(rng.next());
    g.features().draw(rng, dom % plan.n_scenarios, ids.data(), dense.data());
    const std::uint32_t t = dom / plan.n_scenarios, s = dom % plan.n_scenarios;
    ctr += GroundTruth::probability(g.truth().logits(ids.data(), dense.data(), t, s).ctr);
  }
  EXPECT_NEAR(ctr / n / g.config().mean_ctr, 1.0, 0.03);
  // Per type: the click-weighted mean CVR, for the extreme types and one between.
  for (const std::uint32_t t : {0u, 8u, 16u}) {
    std::vector<double> traffic(plan.n_scenarios);
    for (std::uint32_t s = 0; s < plan.n_scenarios; ++s) traffic[s] = plan.traffic[plan.index(t, s)];
    const DiscreteSampler scenarios(traffic);
    double clicks = 0, conversions = 0;
    for (int i = 0; i < n; ++i) {
      const std::uint32_t s = scenarios(rng.next());
      g.features().draw(rng, s, ids.data(), dense.data());
      const TrueLogits z = g.truth().logits(ids.data(), dense.data(), t, s);
      const double p_ctr = GroundTruth::probability(z.ctr);
      clicks += p_ctr;
      conversions += p_ctr * GroundTruth::probability(z.cvr);
    }
    EXPECT_NEAR(conversions / clicks / plan.type_cvr[t], 1.0, 0.15) << "type " << t;  // calibration sd ~4 %
  }
}

TEST(Generator, ABlocksFirstRowsDoNotDependOnHowManyAreAsked) {
  const Generator g(tiny_preset(), 8);
  SplitBlocks few, many;
  g.generate_block(3, 500, few);
  g.generate_block(3, 5000, many);
  for (std::size_t k = 0; k < kSplits; ++k) {
    ASSERT_LE(few[k].rows(), many[k].rows());
    for (std::size_t i = 0; i < few[k].rows(); ++i) {
      ASSERT_EQ(few[k].p_cvr[i], many[k].p_cvr[i]) << split_name(k) << " row " << i;
      ASSERT_EQ(few[k].categorical[0][i], many[k].categorical[0][i]);
      ASSERT_EQ(few[k].conv[i], many[k].conv[i]);
    }
  }
  SplitBlocks other;
  g.generate_block(4, 500, other);
  EXPECT_NE(other[kTrain].p_ctr, few[kTrain].p_ctr);
}

TEST(GroundTruth, IsAFunctionOfTheSeed) {
  const Generator a(tiny_preset(), 1), b(tiny_preset(), 1), c(tiny_preset(), 2);
  const Rows rows = draw_rows(a, 0, 100, 3);
  EXPECT_EQ(cvr_logits(a, rows, 1, 0), cvr_logits(b, rows, 1, 0));
  EXPECT_NE(cvr_logits(a, rows, 1, 0), cvr_logits(c, rows, 1, 0));
}

}  // namespace
}  // namespace mmn::synth
