#include "mmn/train/validation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "mmn/metrics/auc.h"
#include "mmn/metrics/domain_auc.h"
#include "mmn/util/error.h"
#include "testing/error_of.h"
#include "testing/temp_dir.h"
#include "testing/tiny_data.h"

namespace mmn {
namespace {

std::string tiny_data(const testing::TempDir& tmp, std::uint64_t rows) {
  return testing::make_tiny_data(tmp, rows, 3) + "/train";
}

// The held-out groups and the training groups partition the data; the validation rows are
// exactly those groups' rows; the choice does not change between calls.
TEST(ValidationSplit, HoldsOutWholeGroupsDisjointFromTraining) {
  testing::TempDir tmp;
  const Dataset data = Dataset::open(tiny_data(tmp, 400000));
  const std::size_t groups = data.row_groups().size();
  ASSERT_GE(groups, 5u);
  const ValidationSplit split = split_validation(data, 0.25f);
  const std::size_t held = static_cast<std::size_t>(std::llround(0.25 * static_cast<double>(groups)));
  EXPECT_EQ(split.train_groups.size(), groups - held);
  std::uint64_t held_rows = 0;
  std::set<std::size_t> training(split.train_groups.begin(), split.train_groups.end());
  EXPECT_EQ(training.size(), split.train_groups.size());
  for (std::size_t g = 0; g < groups; ++g)
    if (training.count(g) == 0) held_rows += data.row_groups()[g].rows;
  EXPECT_EQ(split.rows.rows(), held_rows);
  EXPECT_EQ(split_validation(data, 0.25f).train_groups, split.train_groups);
  EXPECT_EQ(split_validation(data, 0.0f).train_groups.size(), groups);
  EXPECT_EQ(split_validation(data, 0.0f).rows.rows(), 0u);
  // The first held-out row is a row of the data: its columns were copied, not made up.
  std::size_t first_held = 0;
  while (training.count(first_held) != 0) ++first_held;
  const RowGroupRef& ref = data.row_groups()[first_held];
  const ColumnView& v = data.shards()[ref.shard].columns();
  const std::uint64_t row = data.shards()[ref.shard].group_rows(ref.group).begin;
  EXPECT_EQ(split.rows.click[0], v.click[row]);
  EXPECT_EQ(split.rows.categorical[0][0], v.categorical[0][row]);
  EXPECT_EQ(split.rows.dense[0][0], v.dense[0][row]);
}

TEST(ValidationSplit, AFractionThatLeavesNoTrainingGroupNamesTheData) {
  testing::TempDir tmp;
  const Dataset data = Dataset::open(tiny_data(tmp, 5000));
  ASSERT_EQ(data.row_groups().size(), 1u);
  EXPECT_EQ(testing::error_of([&] { split_validation(data, 0.01f); }),
            data.path() + ": train.validation_fraction = 0.01 would leave no training rows: the data has 1 row "
                          "group; lower the fraction or train on more rows");
}

TEST(ValidationScore, EachMetricIsTheEvaluatorsFigureWithHigherBetter) {
  testing::TempDir tmp;
  const Dataset data = Dataset::open(tiny_data(tmp, 60000));
  const ColumnView& rows = data.shards()[0].columns();
  const std::uint32_t n_scenarios = data.schema().n_scenarios, n_domains = data.schema().n_domains();
  ASSERT_TRUE(data.schema().has_truth);
  const std::vector<float> p_ctr(rows.p_ctr, rows.p_ctr + rows.rows), p_cvr(rows.p_cvr, rows.p_cvr + rows.rows);
  std::vector<float> ctcvr, cvr_clicked;
  std::vector<std::uint8_t> conv_clicked;
  std::vector<std::uint32_t> domain_clicked;
  for (std::size_t i = 0; i < rows.rows; ++i) {
    ctcvr.push_back(p_ctr[i] * p_cvr[i]);
    if (rows.click[i] == 0) continue;
    cvr_clicked.push_back(p_cvr[i]);
    conv_clicked.push_back(rows.conv[i]);
    domain_clicked.push_back(std::uint32_t{rows.type[i]} * n_scenarios + rows.scenario[i]);
  }
  auto score = [&](ValidationMetric m) { return validation_score(m, rows, p_ctr, p_cvr, n_scenarios, n_domains); };
  EXPECT_EQ(score(ValidationMetric::cvr_auc), auc(cvr_clicked, conv_clicked));
  EXPECT_EQ(score(ValidationMetric::ctr_auc), auc(p_ctr.data(), rows.click, rows.rows));
  EXPECT_EQ(score(ValidationMetric::ctcvr_auc), auc(ctcvr.data(), rows.conv, rows.rows));
  EXPECT_EQ(score(ValidationMetric::domain_cvr_auc),
            domain_auc(cvr_clicked, conv_clicked, domain_clicked, n_domains).mean);
  const double logloss = log_loss(p_ctr.data(), rows.click, rows.rows) + log_loss(ctcvr.data(), rows.conv, rows.rows);
  EXPECT_EQ(score(ValidationMetric::logloss), -logloss);
  EXPECT_GT(score(ValidationMetric::cvr_auc), 0.6);  // the true probabilities rank well
  EXPECT_EQ(parse_validation_metric("domain_cvr_auc"), ValidationMetric::domain_cvr_auc);
  EXPECT_THROW(parse_validation_metric("auc"), Error);
}

}  // namespace
}  // namespace mmn
