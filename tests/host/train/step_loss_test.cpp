#include "mmn/train/step_loss.h"

#include <gtest/gtest.h>

#include "host/train/numbered_rows.h"
#include "mmn/comm/communicator.h"
#include "mmn/data/dataset.h"
#include "mmn/train/batch_loader.h"
#include "mmn/util/thread_pool.h"
#include "testing/error_of.h"

namespace mmn {
namespace {

// Two ranks that hold the same rows: every sum doubles.
class TwinRanks final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 2; }
  void sum(float* d, std::size_t n) override { double_all(d, n); }
  void sum(double* d, std::size_t n) override { double_all(d, n); }
  void sum(std::uint64_t* d, std::size_t n) override { double_all(d, n); }
  std::vector<std::string> all_gather(const std::string& b) override { return {b, b}; }
  std::vector<std::string> gather(const std::string& b) override { return {b, b}; }
  void broadcast(std::string&, int) override {}
  void barrier() override {}
  [[noreturn]] void abort(int) override { std::abort(); }

 private:
  template <typename T>
  static void double_all(T* d, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) d[i] += d[i];
  }
};

struct Rows {
  std::vector<std::uint8_t> click{1, 0, 1, 1, 0};
  std::vector<std::uint8_t> conv{1, 0, 0, 1, 0};
  std::vector<std::uint32_t> domain{0, 2, 2, 1, 0};
  ColumnView view() const {
    ColumnView v;
    v.rows = click.size();
    v.click = click.data(), v.conv = conv.data(), v.domain = domain.data();
    return v;
  }
};

TEST(GlobalStepLoss, ScalesTheRowsByTheGlobalBatchsCounts) {
  const Rows rows;
  TwinRanks twins;
  LossOptions options;  // clicked rows, no dynamic weight
  const StepLoss loss = global_step_loss(rows.view(), 3, options, {}, twins);
  EXPECT_EQ(loss.counts.rows, 10u);
  EXPECT_EQ(loss.counts.cvr_rows, 6u);  // three clicked rows on each rank
  EXPECT_EQ(loss.counts.cvr_domain, (std::vector<std::uint64_t>{2, 2, 2}));
  EXPECT_DOUBLE_EQ(loss.scales.ctr, 1.0 / 10);
  EXPECT_EQ(loss.scales.cvr_domain, (std::vector<double>{1.0 / 6, 1.0 / 6, 1.0 / 6}));
}

TEST(GlobalStepLoss, HandsTheDataCountsToADynamicWeight) {
  const Rows rows;
  const auto one = make_local_communicator();
  LossOptions options;
  options.dynamic_weight = true;
  options.dynamic_weight_counts = DomainCountSource::data;
  const StepLoss loss = global_step_loss(rows.view(), 3, options, {100, 400, 100}, *one);
  EXPECT_EQ(loss.counts.data_domain, (std::vector<std::uint64_t>{100, 400, 100}));
  // Scales 1/n_d over the data's counts, normalised so the clicked rows' weights sum to 1.
  const double total = 1.0 / 100 + 1.0 / 400 + 1.0 / 100;
  EXPECT_DOUBLE_EQ(loss.scales.cvr_domain[1], (1.0 / 400) / total);
  EXPECT_NE(testing::error_of([&] { global_step_loss(rows.view(), 3, options, {}, *one); }).find("data"),
            std::string::npos);
}

TEST(GlobalStepLoss, NeedsTheRowsDomainIds) {
  Rows rows;
  ColumnView v = rows.view();
  v.domain = nullptr;
  const auto one = make_local_communicator();
  EXPECT_NE(testing::error_of([&] { global_step_loss(v, 3, {}, {}, *one); }).find("no domain ids"), std::string::npos);
}

// The data's N^d, counted row by row here: every row in ctcvr mode, clicked rows in clicked mode.
TEST(DataLossRowsPerDomain, CountsTheRowsTheLossCountsOnlyWhenTheDynamicWeightAsksForThem) {
  testing::TempDir tmp;
  const Dataset data = Dataset::open(testing::write_numbered_rows(tmp, 1000));
  const std::uint32_t n_types = data.schema().n_types, n_scenarios = data.schema().n_scenarios;
  std::vector<std::uint64_t> rows(std::size_t{n_types} * n_scenarios), clicks(rows.size());
  BatchLoader loader(data, 4096, 1);
  ColumnBlock b;
  while (loader.next(b))
    for (std::size_t i = 0; i < b.rows(); ++i) {
      const std::size_t d = std::size_t{b.type[i]} * n_scenarios + b.scenario[i];
      ++rows[d];
      clicks[d] += b.click[i];
    }
  ThreadPool pool(2);
  LossOptions o;
  EXPECT_TRUE(data_loss_rows_per_domain(data, o, pool).empty());
  o.dynamic_weight = true;
  EXPECT_TRUE(data_loss_rows_per_domain(data, o, pool).empty());  // batch counts
  o.dynamic_weight_counts = DomainCountSource::data;
  EXPECT_EQ(data_loss_rows_per_domain(data, o, pool), clicks);
  o.cvr_mode = CvrMode::ctcvr;
  EXPECT_EQ(data_loss_rows_per_domain(data, o, pool), rows);
}

}  // namespace
}  // namespace mmn
