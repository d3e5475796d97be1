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

// Routed rows of `domain` over grid, with normal x (n x in) and dz (n x out).
struct RoutedRows {
  Routing routing;
  std::vector<float> x, dz;
};

RoutedRows routed_rows(const DomainGrid& grid, std::uint32_t n, std::uint32_t in, std::uint32_t out, std::mt19937& rng) {
  RoutedRows rr;
  std::vector<std::uint32_t> domain(n);
  for (auto& d : domain) d = std::uniform_int_distribution<std::uint32_t>(0, grid.n_domains() - 1)(rng);
  route_by_domain(domain.data(), n, grid.n_domains(), rr.routing);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  rr.x.resize(std::size_t{n} * in);
  rr.dz.resize(std::size_t{n} * out);
  for (auto& v : rr.x) v = normal(rng);
  for (auto& v : rr.dz) v = normal(rng);
  return rr;
}

TEST(PackFoldDz, PutsEachTilesRowsTogetherAndPadsTheLastTile) {
  const std::uint32_t n = 3, out = 90, c0 = 16, c1 = 70;  // 54 columns: one whole tile and 22 of the next
  std::vector<float> dz(n * out);
  for (std::size_t i = 0; i < dz.size(); ++i) dz[i] = static_cast<float>(i);
  std::vector<float> packed(packed_fold_dz_size(n, c0, c1), -1.0f);
  ASSERT_EQ(packed.size(), 2u * n * 32);
  pack_fold_dz(dz.data(), n, out, c0, c1, packed.data());
  for (std::uint32_t tile = 0; tile < 2; ++tile)
    for (std::uint32_t i = 0; i < n; ++i)
      for (std::uint32_t c = 0; c < 32; ++c) {
        const std::uint32_t column = c0 + tile * 32 + c;
        const float want = column < c1 ? dz[i * out + column] : 0.0f;
        ASSERT_EQ(packed[(tile * n + i) * 32 + c], want) << "tile " << tile << " row " << i << " column " << c;
      }
}

// The fold reading dz packed in its tiles gives the same bits as reading it row-major: the
// same products are summed in the same order.
void expect_packed_dz_same_bits(std::uint32_t packed_from, std::uint32_t c0, std::uint32_t c1) {
  const DomainGrid grid{4, 5};
  const std::uint32_t n = 700, in = 20, out = 90;
  std::mt19937 rng(9);
  const RoutedRows rr = routed_rows(grid, n, in, out, rng);
  Params row_major = random_params(grid, in, out, rng);
  Params packed_p = row_major;
  const ComposedLayer l = layer_of(row_major, in, out);
  ThreadPool pool(2);
  std::vector<float> packed(packed_product_weights_size(l, grid));
  const PackedProductWeights w = pack_product_weights(l, grid, packed.data(), pool);
  type_grouped_fold(l, grid, rr.routing, w, rr.x.data(), rr.dz.data(), {c0, c1, 0, in}, grad_of(row_major));
  std::vector<float> dz_tiles(packed_fold_dz_size(n, packed_from, c1));
  pack_fold_dz(rr.dz.data(), n, out, packed_from, c1, dz_tiles.data());
  type_grouped_fold(l, grid, rr.routing, w, packed_fold_rows(rr.x.data(), dz_tiles.data(), n, packed_from),
                    {c0, c1, 0, in}, grad_of(packed_p));
  for (int g = 0; g < kScenario + 1; ++g) {
    for (std::size_t i = 0; i < row_major.gw[g].size(); ++i)
      ASSERT_EQ(packed_p.gw[g][i], row_major.gw[g][i]) << "weight group " << g << " element " << i;
    for (std::size_t i = 0; i < row_major.gb[g].size(); ++i)
      ASSERT_EQ(packed_p.gb[g][i], row_major.gb[g][i]) << "bias group " << g << " element " << i;
  }
}

TEST(TypeGroupedFold, PackedDzGivesTheSameBits) { expect_packed_dz_same_bits(16, 16, 70); }
TEST(TypeGroupedFold, PackedDzFromAnEarlierTileGivesTheSameBits) { expect_packed_dz_same_bits(0, 32, 90); }

TEST(TypeGroupedFold, RejectsAColumnRangeOffTheTilesOfAPackedDz) {
  const DomainGrid grid{2, 2};
  std::mt19937 rng(7);
  Params p = random_params(grid, 4, 40, rng);
  const ComposedLayer l = layer_of(p, 4, 40);
  const RoutedRows rr = routed_rows(grid, 5, 4, 40, rng);
  std::vector<float> packed(packed_product_weights_size(l, grid)), dz_tiles(packed_fold_dz_size(5, 0, 40));
  const PackedProductWeights w = packed_product_weights(l, grid, packed.data());
  pack_fold_dz(rr.dz.data(), 5, 40, 0, 40, dz_tiles.data());
  const FoldRows rows = packed_fold_rows(rr.x.data(), dz_tiles.data(), 5, 0);
  EXPECT_THROW(type_grouped_fold(l, grid, rr.routing, w, rows, {16, 40, 0, 4}, grad_of(p)), std::invalid_argument);
  EXPECT_NO_THROW(type_grouped_fold(l, grid, rr.routing, w, rows, {32, 40, 0, 4}, grad_of(p)));
}

TEST(TypeGroupedFold, AppliesOnlyToTheMmnProduct) {
  float w = 1;
  ComposedLayer l;
  l.weight[kShared] = &w, l.weight[kType] = &w, l.weight[kScenario] = &w;
  EXPECT_TRUE(type_grouped_fold_applies(l));
  l.composition = Composition::sum;
  EXPECT_FALSE(type_grouped_fold_applies(l));
  l.composition = Composition::product;
  l.weight[kType] = nullptr;
  EXPECT_FALSE(type_grouped_fold_applies(l));
  l.weight[kType] = &w, l.weight[kDomain] = &w;
  EXPECT_FALSE(type_grouped_fold_applies(l));
}

}  // namespace
}  // namespace mmn
