// Predictions in batches and the evaluation report, against figures worked out by hand.
#include "mmn/train/evaluator.h"

#include <gtest/gtest.h>

#include <cmath>

#include "testing/random_block.h"
#include "testing/temp_dir.h"

namespace mmn {
namespace {

// 4000 random rows over 3 types x 4 scenarios, in shards of 1500.
struct Data {
  testing::TempDir tmp;
  ColumnBlock rows = testing::random_block(testing::small_schema(false), 4000, 11);
  Dataset data;
  Data() : data(write()) {}
  Dataset write() {
    DatasetWriter w(tmp / "ds", testing::small_schema(false), {1500, 500, false});
    w.append(view_of(rows));
    Dictionaries d;
    d.types = {"a", "b", "c"};
    d.scenarios = {"w", "x", "y", "z"};
    w.commit(d);
    return Dataset::open(tmp / "ds");
  }
};

// Probabilities that rank every positive above every negative: every AUC is 1.
Predictions perfect(const ColumnBlock& rows) {
  Predictions p;
  for (std::size_t i = 0; i < rows.rows(); ++i) {
    p.p_ctr.push_back(rows.click[i] != 0 ? 0.9f : 0.1f);
    p.p_cvr.push_back(rows.conv[i] != 0 ? 0.8f : 0.2f);
  }
  return p;
}

TEST(Evaluator, PerfectRankingScoresOneAndReversedScoresZero) {
  Data d;
  const EvalReport r = evaluate(d.data, perfect(d.rows));
  EXPECT_EQ(r.rows, 4000u);
  EXPECT_DOUBLE_EQ(r.ctr_auc, 1.0);
  EXPECT_DOUBLE_EQ(r.cvr_auc, 1.0);
  EXPECT_DOUBLE_EQ(r.ctcvr_auc, 1.0);  // conversions 0.72, the rest at most 0.18
  EXPECT_EQ(r.domain_cvr.auc.size(), 12u);
  for (const double auc : r.domain_cvr.auc) {
    if (std::isnan(auc)) continue;
    EXPECT_DOUBLE_EQ(auc, 1.0);
  }
  Predictions reversed = perfect(d.rows);
  for (float& p : reversed.p_ctr) p = 1.0f - p;
  EXPECT_DOUBLE_EQ(evaluate(d.data, reversed).ctr_auc, 0.0);
}

TEST(Evaluator, CalibrationSumsPredictionsOverEachDomainsClickedRows) {
  Data d;
  const EvalReport r = evaluate(d.data, perfect(d.rows));
  ASSERT_EQ(r.calibration.size(), 12u);
  std::vector<DomainCalibration> expected(12);
  std::uint64_t clicks = 0, conversions = 0;
  for (std::size_t i = 0; i < d.rows.rows(); ++i) {
    if (d.rows.click[i] == 0) continue;
    DomainCalibration& c = expected[d.rows.type[i] * 4u + d.rows.scenario[i]];
    c.clicks += 1;
    c.conversions += d.rows.conv[i];
    c.predicted += d.rows.conv[i] != 0 ? 0.8 : 0.2;
    clicks += 1;
    conversions += d.rows.conv[i];
  }
  EXPECT_EQ(r.clicks, clicks);
  EXPECT_EQ(r.conversions, conversions);
  for (std::size_t k = 0; k < 12; ++k) {
    EXPECT_EQ(r.calibration[k].clicks, expected[k].clicks) << k;
    EXPECT_EQ(r.calibration[k].conversions, expected[k].conversions) << k;
    EXPECT_NEAR(r.calibration[k].predicted, expected[k].predicted, 1e-3) << k;
    EXPECT_NEAR(r.calibration[k].ratio(), expected[k].predicted / expected[k].conversions, 1e-6) << k;
  }
}

TEST(Evaluator, PredictionsDoNotDependOnTheBatchSize) {
  Data d;
  // A forward pass whose logits depend on the row only: the user id and the first dense value.
  std::size_t largest = 0;
  const ForwardPass forward = [&](const ColumnView& rows, float* ctr, float* cvr) {
    largest = std::max(largest, rows.rows);
    for (std::size_t i = 0; i < rows.rows; ++i) {
      ctr[i] = static_cast<float>(rows.categorical[0][i]) / 50.0f - 1.0f;
      cvr[i] = rows.dense[0][i] / 500.0f;
    }
  };
  const Predictions whole = predict(forward, d.data, 4096);
  const Predictions small = predict(forward, d.data, 7);
  EXPECT_LE(largest, 4096u);
  EXPECT_EQ(whole.p_ctr, small.p_ctr);
  EXPECT_EQ(whole.p_cvr, small.p_cvr);
  ASSERT_EQ(whole.p_ctr.size(), 4000u);
  EXPECT_FLOAT_EQ(whole.p_ctr[5], 1.0f / (1.0f + std::exp(-(d.rows.categorical[0][5] / 50.0f - 1.0f))));
  largest = 0;
  const Predictions rows = predict_rows(forward, view_of(d.rows), 333);
  EXPECT_LE(largest, 333u);
  EXPECT_EQ(rows.p_cvr, whole.p_cvr);
}

}  // namespace
}  // namespace mmn
