// The device AUC against the CPU metric (host/mmn/metrics/auc.h), in every thread order of the
// emulator. Tolerance: none, the result must be bitwise equal (or both NaN). Both sides count
// pairs exactly (integers on the device, doubles below 2^53 on the CPU) and divide the same
// two exact doubles once.
#include "mmn/kernels/auc.cuh"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/metrics/auc.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn {
namespace {

// NaN compares unequal to itself; run_in_all_orders compares results with ==.
struct AucResult {
  double value;
  bool operator==(const AucResult& o) const { return value == o.value || (std::isnan(value) && std::isnan(o.value)); }
};
std::ostream& operator<<(std::ostream& out, const AucResult& r) { return out << r.value; }

AucResult auc_on_device(const std::vector<float>& scores, const std::vector<std::uint8_t>& labels) {
  const auto n = static_cast<std::uint32_t>(scores.size());
  DeviceBuffer<float> s(scores);
  DeviceBuffer<std::uint8_t> l(labels);
  DeviceBuffer<double> result(1);
  kernels::AucWorkspace workspace(n);
  kernels::auc(s.data(), l.data(), n, workspace, result.data(), nullptr);
  return {result.download()[0]};
}

void expect_device_equals_cpu(const std::vector<float>& scores, const std::vector<std::uint8_t>& labels) {
  const auto runs = sim::run_in_all_orders([&] { return auc_on_device(scores, labels); });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  const double got = runs.results.front().value, want = auc(scores, labels);
  if (std::isnan(want)) {
    EXPECT_TRUE(std::isnan(got)) << "device " << got;
  } else {
    EXPECT_EQ(got, want);
  }
}

struct Case {
  std::uint32_t n;
  std::uint32_t distinct_scores;  // 0: continuous scores; else ties among this many values
  double positive_rate;
};

class AucKernel : public ::testing::TestWithParam<Case> {};

TEST_P(AucKernel, EqualsTheCpuMetricInEveryThreadOrder) {
  const Case c = GetParam();
  std::mt19937 rng(c.n * 3 + c.distinct_scores);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<float> scores(c.n);
  std::vector<std::uint8_t> labels(c.n);
  for (std::uint32_t i = 0; i < c.n; ++i) {
    labels[i] = u(rng) < c.positive_rate;
    const float signal = normal(rng) + (labels[i] != 0 ? 0.8f : 0.0f);  // informative scores, AUC ~0.7
    scores[i] = c.distinct_scores == 0 ? signal
                                       : std::round(signal * static_cast<float>(c.distinct_scores) / 6.0f);
  }
  expect_device_equals_cpu(scores, labels);
}

INSTANTIATE_TEST_SUITE_P(Batches, AucKernel,
                         ::testing::Values(Case{1, 0, 0.5}, Case{2, 0, 0.5}, Case{17, 0, 0.4}, Case{17, 3, 0.4},
                                           Case{4096, 0, 0.1}, Case{4096, 10, 0.3}, Case{5000, 1, 0.5},
                                           Case{3000, 0, 0.002}),
                         [](const ::testing::TestParamInfo<Case>& p) {
                           return "n" + std::to_string(p.param.n) + "_distinct" + std::to_string(p.param.distinct_scores) +
                                  "_rate" + std::to_string(static_cast<int>(p.param.positive_rate * 1000));
                         });

TEST(AucKernelEdges, NoRowsNoPositivesOrNoNegativesGiveNan) {
  expect_device_equals_cpu({}, {});
  expect_device_equals_cpu({0.3f, 0.1f, 0.2f}, {1, 1, 1});
  expect_device_equals_cpu({0.3f, 0.1f, 0.2f}, {0, 0, 0});
  EXPECT_TRUE(std::isnan(auc_on_device({0.5f}, {1}).value));
}

TEST(AucKernelEdges, PerfectReversedAndAllTiedRankings) {
  EXPECT_EQ(auc_on_device({0.1f, 0.2f, 0.8f, 0.9f}, {0, 0, 1, 1}).value, 1.0);
  EXPECT_EQ(auc_on_device({0.1f, 0.2f, 0.8f, 0.9f}, {1, 1, 0, 0}).value, 0.0);
  EXPECT_EQ(auc_on_device({0.4f, 0.4f, 0.4f, 0.4f}, {1, 0, 1, 0}).value, 0.5);
}

TEST(AucKernelEdges, SignedZerosTieAndExtremeScoresOrder) {
  const float inf = std::numeric_limits<float>::infinity();
  const float tiny = std::numeric_limits<float>::denorm_min();
  // -0 and +0 are one tie group; -inf < -max < -tiny < 0 < tiny < max < inf.
  expect_device_equals_cpu({-0.0f, 0.0f, 0.0f, -0.0f}, {1, 0, 0, 1});
  EXPECT_EQ(auc_on_device({-0.0f, 0.0f}, {1, 0}).value, 0.5);
  expect_device_equals_cpu({inf, -inf, -std::numeric_limits<float>::max(), -tiny, 0.0f, tiny,
                            std::numeric_limits<float>::max(), -0.0f, 1.0f, -1.0f},
                           {1, 0, 0, 1, 0, 1, 1, 0, 0, 1});
}

TEST(AucKernelEdges, RejectsMoreRowsThanTheWorkspace) {
  kernels::AucWorkspace workspace(3);
  EXPECT_THROW(kernels::auc(nullptr, nullptr, 4, workspace, nullptr, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace mmn
