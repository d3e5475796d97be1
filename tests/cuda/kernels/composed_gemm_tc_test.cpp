// The tensor-core composed layer (composed_gemm_tc.cuh, tf32 and bf16) against a CPU reference
// that rounds as the kernels do (mmn/ops/operand_precision.h): activations, output gradients and
// each composed weight rounded once, products summed in fp32; biases, the bias gradient (from the
// unrounded dz) and the fold of G_d into every group in fp32 (host/mmn/ops/composed_layer.h on
// the rounded operands). Every output is identical in every thread order and within 2e-5 of the
// largest magnitude of the reference; the same outputs of the fp32 CPU layer must be further off
// than that somewhere, so the test tells a rounded GEMM from an unrounded one.
#include "cuda/kernels/composed_layer_run.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/device/run_in_all_orders.h"
#include "mmn/ops/composed_layer.h"
#include "mmn/ops/operand_precision.h"
#include "mmn/ops/routing.h"
#include "mmn/util/thread_pool.h"
#include "testing/composed_storage.h"

namespace mmn {
namespace {

using Case = testing::ComposedCase;
using Outputs = testing::LayerOutputs;

constexpr float kTolerance = 2e-5f;

float max_magnitude(const std::vector<float>& v) {
  float scale = 0.0f;
  for (const float x : v) scale = std::max(scale, std::abs(x));
  return scale;
}

// The largest |got - want| over the largest |want|.
float relative_error(const std::vector<float>& got, const std::vector<float>& want) {
  float worst = 0.0f;
  for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  return worst / (max_magnitude(want) + 1e-30f);
}

std::vector<float> rounded(Precision p, std::vector<float> v) {
  for (auto& x : v) x = round_operand(p, x);
  return v;
}

struct Reference {
  Outputs rounded, fp32;
};

// y = act(round(x) round(W_d) + b_d) and dx = round(dz) round(W_d)^T, k in ascending order.
void reference_gemms(const testing::LayerStorage& s, const DomainGrid& grid, const Routing& routing, Precision p,
                     const std::vector<float>& x, std::vector<float>& dy, Outputs& o) {
  const ComposedLayer l = s.layer();
  o.y.assign(std::size_t{routing.total_rows()} * l.out, 0.0f);
  o.dx.assign(std::size_t{routing.total_rows()} * l.in, 0.0f);
  std::vector<float> w(std::size_t{l.in} * l.out), b(l.out);
  for (std::uint32_t d = 0; d < routing.n_domains; ++d) {
    compose_weight(l, grid, d, 0, l.out, w.data(), l.out);
    compose_bias(l, grid, d, b.data());
    for (auto& v : w) v = round_operand(p, v);
    for (std::uint32_t r = routing.offsets[d]; r < routing.offsets[d + 1]; ++r) {
      for (std::uint32_t n = 0; n < l.out; ++n) {
        float sum = 0.0f;
        for (std::uint32_t k = 0; k < l.in; ++k) sum += round_operand(p, x[std::size_t{r} * l.in + k]) * w[k * l.out + n];
        float v = sum + b[n];
        if (l.relu && v < 0.0f) v = 0.0f;
        o.y[std::size_t{r} * l.out + n] = v;
        if (l.relu && v <= 0.0f) dy[std::size_t{r} * l.out + n] = 0.0f;
      }
      for (std::uint32_t k = 0; k < l.in; ++k) {
        float sum = 0.0f;
        for (std::uint32_t n = 0; n < l.out; ++n)
          sum += round_operand(p, dy[std::size_t{r} * l.out + n]) * w[k * l.out + n];
        o.dx[std::size_t{r} * l.in + k] = sum;
      }
    }
  }
}

// Weight gradients from the rounded x and dz; bias gradients from the unrounded dz.
void reference_fold(const testing::LayerStorage& s, const DomainGrid& grid, const Routing& routing, Precision p,
                    const std::vector<float>& x, const std::vector<float>& dz, Outputs& o) {
  testing::LayerStorage weights = s, biases = s;
  const std::vector<float> xr = rounded(p, x), dzr = rounded(p, dz);
  const ComposedLayer l = s.layer();
  for (std::uint32_t d = 0; d < routing.n_domains; ++d) {
    const std::uint32_t begin = routing.offsets[d], rows = routing.rows(d);
    if (rows == 0) continue;
    fold_domain_gradient(l, grid, d, xr.data() + std::size_t{begin} * l.in, dzr.data() + std::size_t{begin} * l.out,
                         rows, 0, l.out, weights.grad());
    fold_domain_bias_gradient(l, grid, d, dz.data() + std::size_t{begin} * l.out, rows, 0, l.out, biases.grad());
  }
  o.gw = weights.gw, o.gb = biases.gb;
}

struct Prepared {
  DomainGrid grid;
  testing::LayerStorage storage;
  std::vector<std::uint32_t> domain;
  std::vector<float> x, dy;
  Reference want;
};

Prepared prepare(const Case& c, Precision p) {
  std::mt19937 rng(c.rows * 13 + c.in);
  const DomainGrid grid{c.n_types, c.n_scenarios};
  Prepared out{grid, testing::LayerStorage(grid, c.in, c.out, c.groups, c.composition, c.relu, rng), {}, {}, {}, {}};
  std::uniform_int_distribution<std::uint32_t> pick(0, grid.n_domains() - 1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (std::uint32_t i = 0; i < c.rows; ++i) out.domain.push_back(pick(rng) % (i % 3 == 0 ? 3 : grid.n_domains()));
  out.x.resize(std::size_t{c.rows} * c.in);
  out.dy.resize(std::size_t{c.rows} * c.out);
  for (auto& v : out.x) v = normal(rng);
  for (auto& v : out.dy) v = normal(rng);

  ThreadPool pool(2);
  Routing routing;
  route_by_domain(out.domain.data(), out.domain.size(), grid.n_domains(), routing);
  std::vector<float> x_routed(out.x.size()), dz(out.dy.size());
  gather_rows(routing, out.x.data(), c.in, x_routed.data());
  gather_rows(routing, out.dy.data(), c.out, dz.data());
  std::vector<float> dz_fp32 = dz;
  reference_gemms(out.storage, grid, routing, p, x_routed, dz, out.want.rounded);
  reference_fold(out.storage, grid, routing, p, x_routed, dz, out.want.rounded);

  testing::LayerStorage fp32 = out.storage;
  out.want.fp32.y.resize(out.want.rounded.y.size());
  out.want.fp32.dx.resize(out.want.rounded.dx.size());
  composed_forward(fp32.layer(), grid, routing, x_routed.data(), out.want.fp32.y.data(), pool);
  composed_backward(fp32.layer(), grid, routing, x_routed.data(), out.want.fp32.y.data(), dz_fp32.data(),
                    out.want.fp32.dx.data(), fp32.grad(), pool);
  out.want.fp32.gw = fp32.gw, out.want.fp32.gb = fp32.gb;
  return out;
}

// The device layer in every thread order against the CPU reference that rounds as it does, and
// further than the tolerance from the unrounded fp32 layer.
void expect_rounded_layer(const Case& c, Precision precision, bool split_fold) {
  const Prepared p = prepare(c, precision);
  const auto runs = sim::run_in_all_orders([&] {
    return testing::run_layer_on_device(c, p.grid, p.storage, p.domain, p.x, p.dy, kernels::FoldMode::deterministic,
                                        precision, split_fold);
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  const Outputs& got = runs.results.front();
  const Outputs& want = p.want.rounded;
  const Outputs& fp32 = p.want.fp32;
  float fp32_distance = std::max(relative_error(got.y, fp32.y), relative_error(got.dx, fp32.dx));
  EXPECT_LE(relative_error(got.y, want.y), kTolerance) << "y";
  EXPECT_LE(relative_error(got.dx, want.dx), kTolerance) << "dx";
  for (int h = 0; h < kParamGroups; ++h) {
    const std::string group = param_group_name(h);
    EXPECT_LE(relative_error(got.gw[h], want.gw[h]), kTolerance) << "dW." << group;
    EXPECT_LE(relative_error(got.gb[h], want.gb[h]), kTolerance) << "db." << group;
    fp32_distance = std::max(fp32_distance, relative_error(got.gw[h], fp32.gw[h]));
  }
  EXPECT_GT(fp32_distance, 4 * kTolerance) << "the outputs do not show the operands' rounding";
}

class ComposedGemmTensorCore : public ::testing::TestWithParam<std::tuple<Case, Precision>> {};

TEST_P(ComposedGemmTensorCore, EqualsTheRoundedCpuLayerInEveryThreadOrder) {
  expect_rounded_layer(std::get<0>(GetParam()), std::get<1>(GetParam()), false);
}

constexpr testing::Groups kMmn = testing::kMmnGroups, kStar = testing::kStarGroups,
                         kSeparate = testing::kSeparateGroups;

INSTANTIATE_TEST_SUITE_P(
    Layers, ComposedGemmTensorCore,
    ::testing::Combine(
        ::testing::Values(Case{"mmn_rows1", 1, 37, 45, 17, 21, kMmn, Composition::product, true},
                          Case{"mmn_rows700", 700, 37, 45, 17, 21, kMmn, Composition::product, true},
                          Case{"mmn_sum_rows300", 300, 20, 70, 17, 21, kMmn, Composition::sum, false},
                          Case{"star_rows200", 200, 33, 16, 3, 4, kStar, Composition::product, true},
                          Case{"separate_rows200", 200, 16, 33, 3, 4, kSeparate, Composition::product, true},
                          Case{"mmn_criteo_layer1_rows150", 150, 272, 256, 3, 4, kMmn, Composition::product, true},
                          Case{"mmn_last_layer_rows500", 500, 128, 1, 17, 21, kMmn, Composition::product, false}),
        ::testing::Values(Precision::tf32, Precision::bf16)),
    [](const ::testing::TestParamInfo<std::tuple<Case, Precision>>& p) {
      return std::string(std::get<0>(p.param).name) + "_" + precision_name(std::get<1>(p.param));
    });

// The fold split over row ranges (fold_split.cuh) on a batch that gives it 4 parts.
TEST(ComposedGemmTensorCoreSplitFold, EqualsTheRoundedCpuLayerInEveryThreadOrder) {
  const Case c{"mmn_rows2048", 2048, 37, 45, 17, 21, kMmn, Composition::product, true};
  ComposedLayer shape;
  shape.in = c.in, shape.out = c.out;
  ASSERT_EQ(kernels::fold_parts(shape, c.rows, kernels::kFoldTile), 4u);
  for (const Precision precision : {Precision::tf32, Precision::bf16}) {
    SCOPED_TRACE(precision_name(precision));
    expect_rounded_layer(c, precision, true);
  }
}

}  // namespace
}  // namespace mmn
