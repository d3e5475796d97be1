// The type-grouped fold against the per-domain fold it replaces (fold_domain_gradient, itself
// checked against finite differences in composed_layer_test): the same weight and bias
// gradients, on routed batches with absent, one-row and large domains.
#include "mmn/ops/type_grouped_fold.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

struct Params {
  std::vector<float> w[kParamGroups], b[kParamGroups], gw[kParamGroups], gb[kParamGroups];
};

Params random_params(const DomainGrid& grid, std::uint32_t in, std::uint32_t out, std::mt19937& rng) {
  std::normal_distribution<float> normal(1.0f, 0.3f);
  Params p;
  for (int g = 0; g < kScenario + 1; ++g) {
    p.w[g].resize(std::size_t{grid.sets(g)} * in * out);
    p.b[g].resize(std::size_t{grid.sets(g)} * out);
    for (auto& v : p.w[g]) v = normal(rng);
    for (auto& v : p.b[g]) v = normal(rng);
    p.gw[g].assign(p.w[g].size(), 0.5f);  // accumulation onto existing values
    p.gb[g].assign(p.b[g].size(), -0.25f);
  }
  return p;
}

ComposedLayer layer_of(Params& p, std::uint32_t in, std::uint32_t out) {
  ComposedLayer l;
  l.in = in, l.out = out, l.composition = Composition::product;
  for (int g = 0; g < kScenario + 1; ++g) l.weight[g] = p.w[g].data(), l.bias[g] = p.b[g].data();
  return l;
}

ComposedLayerGrad grad_of(Params& p) {
  ComposedLayerGrad g;
  for (int k = 0; k < kScenario + 1; ++k) g.weight[k] = p.gw[k].data(), g.bias[k] = p.gb[k].data();
  return g;
}

void expect_same_fold(std::uint32_t rows, std::uint32_t in, std::uint32_t out, std::uint32_t c0, std::uint32_t c1,
                      std::uint32_t seed) {
  const DomainGrid grid{5, 7};
  std::mt19937 rng(seed);
  // Zipf-like traffic over a third of the domains, so many are absent and some have one row.
  std::vector<std::uint32_t> domain(rows);
  for (auto& d : domain) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    d = static_cast<std::uint32_t>(std::pow(u, 3.0) * grid.n_domains()) % grid.n_domains();
    d = d % 3 == 1 ? (d + 1) % grid.n_domains() : d;
  }
  Routing r;
  route_by_domain(domain.data(), rows, grid.n_domains(), r);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> x(std::size_t{rows} * in), dz(std::size_t{rows} * out);
  for (auto& v : x) v = normal(rng);
  for (auto& v : dz) v = normal(rng);

  Params expected = random_params(grid, in, out, rng);
  Params got = expected;
  const ComposedLayer le = layer_of(expected, in, out), lg = layer_of(got, in, out);
  ASSERT_TRUE(type_grouped_fold_applies(lg));
  for (const std::uint32_t d : r.active) {
    const std::uint32_t begin = r.offsets[d];
    fold_domain_gradient(le, grid, d, x.data() + std::size_t{begin} * in, dz.data() + std::size_t{begin} * out,
                         r.rows(d), c0, c1, grad_of(expected));
  }
  ThreadPool pool(2);
  std::vector<float> products(std::size_t{grid.n_types} * in * out);
  type_products(lg, grid, products.data(), pool);
  for (std::uint32_t t = 0; t < grid.n_types; ++t)
    for (std::size_t i = 0; i < std::size_t{in} * out; ++i)
      ASSERT_EQ(products[t * in * out + i], got.w[kShared][i] * got.w[kType][t * in * out + i]) << "P[" << t << "]";
  // Two calls over the inputs, as the trainer splits a narrow layer: only the first folds biases.
  const std::uint32_t k_split = in / 2;
  std::vector<float> packed(packed_product_weights_size(lg, grid));
  const PackedProductWeights w = pack_product_weights(lg, grid, packed.data(), pool);
  type_grouped_fold(lg, grid, r, w, x.data(), dz.data(), {c0, c1, 0, k_split}, grad_of(got));
  type_grouped_fold(lg, grid, r, w, x.data(), dz.data(), {c0, c1, k_split, in}, grad_of(got));
  for (int g = 0; g < kScenario + 1; ++g) {
    float scale = 0;
    for (const float v : expected.gw[g]) scale = std::max(scale, std::fabs(v));
    for (std::size_t i = 0; i < expected.gw[g].size(); ++i)
      ASSERT_NEAR(got.gw[g][i], expected.gw[g][i], 1e-5f * scale) << "weight group " << g << " element " << i;
    for (std::size_t i = 0; i < expected.gb[g].size(); ++i)
      ASSERT_FLOAT_EQ(got.gb[g][i], expected.gb[g][i]) << "bias group " << g << " element " << i;
  }
}

TEST(TypeGroupedFold, EqualsThePerDomainFold) { expect_same_fold(300, 13, 9, 0, 9, 1); }
TEST(TypeGroupedFold, EqualsThePerDomainFoldOnAColumnRange) { expect_same_fold(500, 20, 70, 64, 70, 2); }
TEST(TypeGroupedFold, OneRow) { expect_same_fold(1, 8, 5, 0, 5, 3); }
// Wide enough that the depth is folded in several blocks (see type_grouped_fold.cpp), with
// domains longer than the kernel's row loop needs to be.
TEST(TypeGroupedFold, SeveralDepthBlocks) { expect_same_fold(900, 70, 300, 0, 300, 4); }
// Enough rows that the types fall into several groups (about a thousand rows each, see
// type_grouped_fold.cpp; with this traffic type 0 alone holds more than half), which then add
// into the same scenario gradients.
TEST(TypeGroupedFold, SeveralGroupsOfTypes) { expect_same_fold(4000, 20, 40, 0, 40, 5); }

TEST(TypeGroupedFold, RejectsAColumnRangeOffThePanels) {
  const DomainGrid grid{2, 2};
  std::mt19937 rng(6);
  Params p = random_params(grid, 4, 40, rng);
  const ComposedLayer l = layer_of(p, 4, 40);
  std::vector<std::uint32_t> domain = {0, 3};
  Routing r;
  route_by_domain(domain.data(), domain.size(), grid.n_domains(), r);
  const std::vector<float> x(2 * 4, 1.0f), dz(2 * 40, 1.0f), packed(packed_product_weights_size(l, grid));
  const PackedProductWeights w = packed_product_weights(l, grid, packed.data());
  EXPECT_THROW(type_grouped_fold(l, grid, r, w, x.data(), dz.data(), {8, 40, 0, 4}, grad_of(p)), std::invalid_argument);
}

TEST(TypeGroupedFold, AppliesOnlyToTheMmnProduct) {
  float w = 1;
  ComposedLayer l;
  l.weight = {&w, &w, &w, nullptr};
  EXPECT_TRUE(type_grouped_fold_applies(l));
  l.composition = Composition::sum;
  EXPECT_FALSE(type_grouped_fold_applies(l));
  l.composition = Composition::product;
  l.weight = {&w, nullptr, &w, nullptr};
  EXPECT_FALSE(type_grouped_fold_applies(l));
  l.weight = {&w, &w, &w, &w};
  EXPECT_FALSE(type_grouped_fold_applies(l));
}

}  // namespace
}  // namespace mmn
