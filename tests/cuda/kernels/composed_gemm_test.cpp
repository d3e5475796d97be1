// The device composed layer against the CPU op (host/mmn/ops/composed_layer.h): forward
// outputs, the input gradient and every group's weight and bias gradient, for product and sum
// composition and the group sets of MMN, its ablations and the baselines, on Zipf traffic over
// 17 x 21 domains (some absent), one-row and empty segments, and sizes that are not multiples
// of the tiles; and identical in every thread order (the deterministic fold).
// Tolerance: 1e-4 of the largest magnitude of each compared array. Both sides sum fp32
// products in different orders: over K <= 272 inputs, or over <= 4096 rows for gradients,
// the rounding bound K * 6e-8 relative to the sum of magnitudes stays below that.
#include "cuda/kernels/composed_layer_run.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/ops/composed_layer.h"
#include "mmn/ops/routing.h"
#include "mmn/device/run_in_all_orders.h"
#include "mmn/util/thread_pool.h"
#include "testing/composed_storage.h"

namespace mmn {
namespace {

using testing::ComposedCase;
using testing::LayerOutputs;
using Case = ComposedCase;
using Outputs = LayerOutputs;

std::vector<std::uint32_t> zipf_domains(std::uint32_t rows, std::uint32_t n_domains, std::mt19937& rng) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::uint32_t> domain;
  while (domain.size() < rows) {
    const auto rank = static_cast<std::uint32_t>(std::pow(u(rng), 2.5) * n_domains) % n_domains;
    const std::uint32_t d = (rank * 7919u) % n_domains;
    if (n_domains > 4 && d % 5 == 3) continue;
    domain.push_back(d);
  }
  return domain;
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  float scale = 0.0f;
  for (const float v : want) scale = std::max(scale, std::abs(v));
  const float tol = 1e-4f * scale + 1e-30f;
  int bad = 0;
  for (std::size_t i = 0; i < got.size() && bad < 5; ++i)
    if (!(std::abs(got[i] - want[i]) <= tol)) {
      ADD_FAILURE() << what << "[" << i << "]: device " << got[i] << ", cpu " << want[i] << " (tolerance " << tol << ")";
      ++bad;
    }
}

// Inputs of one case and the CPU op's results on them.
struct Prepared {
  DomainGrid grid;
  testing::LayerStorage storage;
  std::vector<std::uint32_t> domain;
  std::vector<float> x, dy;
  Outputs want;
};

Prepared prepare(const Case& c) {
  std::mt19937 rng(c.rows * 7 + c.in);
  const DomainGrid grid{c.n_types, c.n_scenarios};
  Prepared p{grid, testing::LayerStorage(grid, c.in, c.out, c.groups, c.composition, c.relu, rng), {}, {}, {}, {}};
  p.domain = zipf_domains(c.rows, grid.n_domains(), rng);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  p.x.resize(std::size_t{c.rows} * c.in);
  p.dy.resize(std::size_t{c.rows} * c.out);
  for (auto& v : p.x) v = normal(rng);
  for (auto& v : p.dy) v = normal(rng);

  // CPU reference: route, gather, forward; backward on the routed rows.
  ThreadPool pool(2);
  Routing routing;
  route_by_domain(p.domain.data(), p.domain.size(), grid.n_domains(), routing);
  std::vector<float> x_routed(p.x.size()), dz(p.dy.size());
  gather_rows(routing, p.x.data(), c.in, x_routed.data());
  gather_rows(routing, p.dy.data(), c.out, dz.data());
  p.want.y.resize(std::size_t{c.rows} * c.out);
  p.want.dx.resize(p.x.size());
  composed_forward(p.storage.layer(), grid, routing, x_routed.data(), p.want.y.data(), pool);
  composed_backward(p.storage.layer(), grid, routing, x_routed.data(), p.want.y.data(), dz.data(), p.want.dx.data(),
                    p.storage.grad(), pool);
  p.want.gw = p.storage.gw, p.want.gb = p.storage.gb;
  return p;
}

Outputs run_device(const Case& c, const Prepared& p, kernels::FoldMode fold) {
  return testing::run_layer_on_device(c, p.grid, p.storage, p.domain, p.x, p.dy, fold, Precision::fp32);
}

void expect_close(const Outputs& got, const Outputs& want) {
  expect_close(got.y, want.y, "y");
  expect_close(got.dx, want.dx, "dx");
  for (int h = 0; h < kParamGroups; ++h) {
    expect_close(got.gw[h], want.gw[h], std::string("dW.") + param_group_name(h));
    expect_close(got.gb[h], want.gb[h], std::string("db.") + param_group_name(h));
  }
}

class ComposedGemmKernels : public ::testing::TestWithParam<Case> {};

TEST_P(ComposedGemmKernels, EqualTheCpuLayerInEveryThreadOrder) {
  const Case c = GetParam();
  const Prepared p = prepare(c);
  const auto runs = sim::run_in_all_orders([&] { return run_device(c, p, kernels::FoldMode::deterministic); });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  expect_close(runs.results.front(), p.want);
}

// The fast fold may differ between orders in the last bits (float atomics); each order is
// within the same tolerance of the CPU op.
TEST_P(ComposedGemmKernels, AtomicFoldEqualsTheCpuGradientsInEveryThreadOrder) {
  const Case c = GetParam();
  if (c.in * c.out > 10000) GTEST_SKIP() << "the deterministic test covers this size; kept short under the emulator";
  const Prepared p = prepare(c);
  const auto runs = sim::run_in_all_orders([&] { return run_device(c, p, kernels::FoldMode::atomic); });
  for (const Outputs& got : runs.results) expect_close(got, p.want);
}

constexpr testing::Groups kMmn = testing::kMmnGroups, kNoType = testing::kNoTypeGroups, kStar = testing::kStarGroups,
                         kSeparate = testing::kSeparateGroups;

// The deterministic fold split over row ranges (fold_split.cuh), on layers and batches that give
// several parts: the CPU layer's gradients within the tolerance, identical in every thread order.
TEST(ComposedGemmSplitFold, EqualsTheCpuLayerInEveryThreadOrder) {
  for (const Case& c : {Case{"mmn_rows4096", 4096, 37, 45, 17, 21, kMmn, Composition::product, true},
                        Case{"mmn_sum_rows3000", 3000, 37, 45, 17, 21, kMmn, Composition::sum, true},
                        Case{"star_rows2000", 2000, 33, 16, 3, 4, kStar, Composition::product, true},
                        Case{"separate_rows1500", 1500, 16, 33, 3, 4, kSeparate, Composition::product, true},
                        Case{"mmn_last_layer_rows4096", 4096, 128, 1, 17, 21, kMmn, Composition::product, false}}) {
    SCOPED_TRACE(c.name);
    ComposedLayer shape;
    shape.in = c.in, shape.out = c.out;
    ASSERT_GT(kernels::fold_parts(shape, c.rows, kernels::kFoldTile), 1u);
    const Prepared p = prepare(c);
    const auto runs = sim::run_in_all_orders([&] {
      return testing::run_layer_on_device(c, p.grid, p.storage, p.domain, p.x, p.dy, kernels::FoldMode::deterministic,
                                          Precision::fp32, true);
    });
    ASSERT_TRUE(runs.agree()) << runs.disagreement();
    expect_close(runs.results.front(), p.want);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Layers, ComposedGemmKernels,
    ::testing::Values(Case{"mmn_rows1", 1, 37, 45, 17, 21, kMmn, Composition::product, true},
                      Case{"mmn_rows17", 17, 37, 45, 17, 21, kMmn, Composition::product, true},
                      Case{"mmn_rows4096", 4096, 37, 45, 17, 21, kMmn, Composition::product, true},
                      Case{"mmn_sum_rows4096", 4096, 37, 45, 17, 21, kMmn, Composition::sum, true},
                      Case{"mmn_no_type_rows700", 700, 20, 70, 17, 21, kNoType, Composition::product, false},
                      Case{"star_rows500", 500, 33, 16, 3, 4, kStar, Composition::product, true},
                      Case{"separate_rows500", 500, 16, 33, 3, 4, kSeparate, Composition::product, true},
                      Case{"mmn_criteo_layer1_rows300", 300, 272, 256, 17, 21, kMmn, Composition::product, true},
                      Case{"mmn_last_layer_rows4096", 4096, 128, 1, 17, 21, kMmn, Composition::product, false}),
    [](const ::testing::TestParamInfo<Case>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace mmn
