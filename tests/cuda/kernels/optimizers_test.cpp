// The device Adam and Adagrad updates, dense and over touched rows, against the CPU ops
// (host/mmn/ops/optimizers.h) over several steps, in every thread order of the emulator.
// Tolerance, per element: 1e-6 of |value| plus 1e-6 of lr (parameters) or 1e-30 (moments and
// accumulators). Both sides evaluate the same fp32 formula with the same host-computed bias
// corrections; they may differ only where a compiler contracts a product and a sum into an FMA
// (host code is built with -march=native), which changes one rounding, <= 6e-8 relative, per
// operation. A step's few operations stay within 3e-7 of the value, and the update's error
// within 1e-6 of lr; over 4 steps within the bound. A wrong formula, step, row or a skipped
// element is off by far more. Untouched rows must be bitwise unchanged.
#include "mmn/kernels/optimizers.cuh"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/ops/embedding.h"
#include "mmn/ops/optimizers.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn {
namespace {

constexpr int kSteps = 4;
constexpr std::uint64_t kFirstStep = 3;  // steps 3..6: bias corrections far from 1

std::vector<float> random_floats(std::size_t n, float scale, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, double absolute, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  int bad = 0;
  for (std::size_t i = 0; i < got.size() && bad < 5; ++i)
    if (!(std::abs(got[i] - want[i]) <= 1e-6 * std::abs(want[i]) + absolute)) {
      ADD_FAILURE() << what << "[" << i << "]: device " << got[i] << ", cpu " << want[i];
      ++bad;
    }
}

// The state after kSteps updates: params, then the moments (Adam) or the accumulator (Adagrad).
using State = std::vector<std::vector<float>>;

const AdamConfig kAdam{2e-3f, 0.9f, 0.999f, 1e-8f};
const AdagradConfig kAdagrad{0.05f, 0.1f, 1e-10f};
const kernels::AdamHyper kDeviceAdam{kAdam.lr, kAdam.beta1, kAdam.beta2, kAdam.eps};
const kernels::AdagradHyper kDeviceAdagrad{kAdagrad.lr, kAdagrad.eps};

class DenseOptimizers : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(DenseOptimizers, AdamEqualsTheCpuOpInEveryThreadOrder) {
  const std::uint32_t n = GetParam();
  std::mt19937 rng(n);
  const std::vector<float> params = random_floats(n, 1.0f, rng);
  std::vector<std::vector<float>> grads;
  for (int s = 0; s < kSteps; ++s) grads.push_back(random_floats(n, s == 0 ? 1e-3f : 1.0f, rng));

  const auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<float> p(params), m(std::vector<float>(n, 0.0f)), v(std::vector<float>(n, 0.0f)), g(n);
    for (int s = 0; s < kSteps; ++s) {
      g.upload(grads[s]);
      kernels::adam_update(p.data(), g.data(), m.data(), v.data(), n, kDeviceAdam, kFirstStep + s, nullptr);
    }
    return State{p.download(), m.download(), v.download()};
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();

  State want{params, std::vector<float>(n, 0.0f), std::vector<float>(n, 0.0f)};
  for (int s = 0; s < kSteps; ++s)
    adam_update(want[0].data(), grads[s].data(), want[1].data(), want[2].data(), n, kAdam, kFirstStep + s);
  expect_close(runs.results.front()[0], want[0], 1e-6 * kAdam.lr, "params");
  expect_close(runs.results.front()[1], want[1], 1e-30, "m");
  expect_close(runs.results.front()[2], want[2], 1e-30, "v");
}

TEST_P(DenseOptimizers, AdagradEqualsTheCpuOpInEveryThreadOrder) {
  const std::uint32_t n = GetParam();
  std::mt19937 rng(n + 5);
  const std::vector<float> params = random_floats(n, 1.0f, rng);
  std::vector<std::vector<float>> grads;
  for (int s = 0; s < kSteps; ++s) grads.push_back(random_floats(n, 1.0f, rng));
  const std::vector<float> accumulator(n, kAdagrad.initial_accumulator);

  const auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<float> p(params), a(accumulator), g(n);
    for (int s = 0; s < kSteps; ++s) {
      g.upload(grads[s]);
      kernels::adagrad_update(p.data(), g.data(), a.data(), n, kDeviceAdagrad, nullptr);
    }
    return State{p.download(), a.download()};
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();

  State want{params, accumulator};
  for (int s = 0; s < kSteps; ++s) adagrad_update(want[0].data(), grads[s].data(), want[1].data(), n, kAdagrad);
  expect_close(runs.results.front()[0], want[0], 1e-6 * kAdagrad.lr, "params");
  expect_close(runs.results.front()[1], want[1], 1e-30, "accumulator");
}

INSTANTIATE_TEST_SUITE_P(Sizes, DenseOptimizers, ::testing::Values(0u, 1u, 17u, 4096u, 100003u),
                         [](const ::testing::TestParamInfo<std::uint32_t>& p) { return "n" + std::to_string(p.param); });

// Touched rows of a table: unique ascending ids and their gradient rows, as embedding_backward
// produces them, uploaded into buffers of max_rows rows (only the first count are read).
struct Touched {
  std::vector<SparseRows> steps;  // one per step
  std::uint32_t max_rows;
};

constexpr std::uint32_t kVocab = 1000, kDim = 16;

Touched random_touched(std::uint32_t touched, std::mt19937& rng) {
  Touched t;
  t.max_rows = touched + 7;
  for (int s = 0; s < kSteps; ++s) {
    SparseRows rows;
    std::vector<bool> used(kVocab, false);
    // Later steps revisit the first step's rows, so the moments carry over.
    for (std::uint32_t id = s == 0 ? static_cast<std::uint32_t>(rng() % kVocab) : 0; rows.ids.size() < touched && id < kVocab; ++id)
      if (!used[id] && rng() % (kVocab / (touched + 1) + 1) == 0) used[id] = true, rows.ids.push_back(id);
    rows.grads = random_floats(rows.ids.size() * kDim, 1.0f, rng);
    t.steps.push_back(rows);
  }
  return t;
}

struct DeviceRows {
  DeviceBuffer<std::uint32_t> ids, count;
  DeviceBuffer<float> grads;
  DeviceRows(const SparseRows& rows, std::uint32_t max_rows) : ids(max_rows), count(1), grads(std::size_t{max_rows} * kDim) {
    std::vector<std::uint32_t> padded_ids(max_rows, 0xdeadu);  // past count: never read
    std::copy(rows.ids.begin(), rows.ids.end(), padded_ids.begin());
    std::vector<float> padded_grads(grads.size(), 1e30f);
    std::copy(rows.grads.begin(), rows.grads.end(), padded_grads.begin());
    ids.upload(padded_ids);
    grads.upload(padded_grads);
    count.upload({static_cast<std::uint32_t>(rows.ids.size())});
  }
};

class SparseOptimizers : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(SparseOptimizers, AdamRowsEqualTheCpuOpAndLeaveOtherRowsInEveryThreadOrder) {
  std::mt19937 rng(GetParam() + 11);
  const Touched touched = random_touched(GetParam(), rng);
  const std::vector<float> table = random_floats(std::size_t{kVocab} * kDim, 1.0f, rng);
  const std::vector<float> m0 = random_floats(table.size(), 1e-3f, rng);
  std::vector<float> v0 = random_floats(table.size(), 1e-3f, rng);
  for (auto& x : v0) x = x * x;

  const auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<float> p(table), m(m0), v(v0);
    for (int s = 0; s < kSteps; ++s) {
      DeviceRows rows(touched.steps[s], touched.max_rows);
      kernels::adam_update_rows(p.data(), m.data(), v.data(), kDim, rows.ids.data(), rows.grads.data(),
                                rows.count.data(), touched.max_rows, kDeviceAdam, kFirstStep + s, nullptr);
    }
    return State{p.download(), m.download(), v.download()};
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();

  State want{table, m0, v0};
  for (int s = 0; s < kSteps; ++s)
    adam_update_rows(want[0].data(), want[1].data(), want[2].data(), kDim, touched.steps[s], kAdam, kFirstStep + s);
  expect_close(runs.results.front()[0], want[0], 1e-6 * kAdam.lr, "table");
  expect_close(runs.results.front()[1], want[1], 1e-30, "m");
  expect_close(runs.results.front()[2], want[2], 1e-30, "v");
  std::vector<bool> touched_row(kVocab, false);
  for (const SparseRows& rows : touched.steps)
    for (std::uint32_t id : rows.ids) touched_row[id] = true;
  for (std::uint32_t id = 0; id < kVocab; ++id)
    for (std::uint32_t j = 0; j < kDim && !touched_row[id]; ++j)
      ASSERT_EQ(runs.results.front()[0][id * kDim + j], table[id * kDim + j]) << "untouched row " << id;
}

TEST_P(SparseOptimizers, AdagradRowsEqualTheCpuOpInEveryThreadOrder) {
  std::mt19937 rng(GetParam() + 13);
  const Touched touched = random_touched(GetParam(), rng);
  const std::vector<float> table = random_floats(std::size_t{kVocab} * kDim, 1.0f, rng);
  const std::vector<float> accumulator(table.size(), kAdagrad.initial_accumulator);

  const auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<float> p(table), a(accumulator);
    for (int s = 0; s < kSteps; ++s) {
      DeviceRows rows(touched.steps[s], touched.max_rows);
      kernels::adagrad_update_rows(p.data(), a.data(), kDim, rows.ids.data(), rows.grads.data(), rows.count.data(),
                                   touched.max_rows, kDeviceAdagrad, nullptr);
    }
    return State{p.download(), a.download()};
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();

  State want{table, accumulator};
  for (int s = 0; s < kSteps; ++s)
    adagrad_update_rows(want[0].data(), want[1].data(), kDim, touched.steps[s], kAdagrad);
  expect_close(runs.results.front()[0], want[0], 1e-6 * kAdagrad.lr, "table");
  expect_close(runs.results.front()[1], want[1], 1e-30, "accumulator");
}

INSTANTIATE_TEST_SUITE_P(TouchedRows, SparseOptimizers, ::testing::Values(0u, 1u, 17u, 600u, 1000u),
                         [](const ::testing::TestParamInfo<std::uint32_t>& p) { return "rows" + std::to_string(p.param); });

TEST(AdamKernel, RejectsStepZero) {
  EXPECT_THROW(kernels::adam_update(nullptr, nullptr, nullptr, nullptr, 0, kDeviceAdam, 0, nullptr), std::invalid_argument);
}

}  // namespace
}  // namespace mmn
