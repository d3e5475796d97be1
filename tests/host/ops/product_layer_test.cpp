// The MMN layer's forward and input-gradient passes against W_d composed element by element
// (compose_weight) and multiplied in double, on a batch with a domain longer than the kernels'
// row blocks, one-row domains and absent ones; and the same bits for 1, 2 and 3 threads.
#include "mmn/ops/product_layer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "mmn/ops/type_grouped_fold.h"
#include "mmn/util/thread_pool.h"
#include "testing/composed_storage.h"

namespace mmn {
namespace {

using testing::LayerStorage;

struct Batch {
  DomainGrid grid{3, 4};
  Routing routing;
  std::vector<float> x, dz;

  Batch(std::uint32_t in, std::uint32_t out, std::mt19937& rng) {
    std::vector<std::uint32_t> domain(29, 6);  // 29 rows: three row blocks of the kernels
    for (std::uint32_t d : {0u, 11u, 6u, 3u, 3u, 11u, 0u}) domain.push_back(d);
    route_by_domain(domain.data(), domain.size(), grid.n_domains(), routing);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    x.resize(domain.size() * in);
    dz.resize(domain.size() * out);
    for (auto& v : x) v = normal(rng);
    for (auto& v : dz) v = normal(rng);
  }
};

struct Passes {
  std::vector<float> y, dx;
};

Passes run(const LayerStorage& s, const Batch& b, std::size_t threads) {
  ThreadPool pool(threads);
  const ComposedLayer l = s.layer();
  Passes p;
  p.y.resize(b.routing.total_rows() * l.out);
  p.dx.resize(b.routing.total_rows() * l.in);
  std::vector<float> packed(packed_product_weights_size(l, b.grid));
  const PackedProductWeights w = pack_product_weights(l, b.grid, packed.data(), pool);
  product_layer_forward(l, b.grid, b.routing, w, b.x.data(), p.y.data(), pool);
  product_layer_input_gradient(l, b.grid, b.routing, w, b.dz.data(), p.dx.data(), pool);
  return p;
}

void expect_matches_composition(std::uint32_t in, std::uint32_t out, bool relu) {
  std::mt19937 rng(in * 100 + out);
  const Batch b(in, out, rng);
  const LayerStorage s(b.grid, in, out, {true, true, true, false}, Composition::product, relu, rng);
  const ComposedLayer l = s.layer();
  const Passes got = run(s, b, 2);
  std::vector<float> w(std::size_t{in} * out), bias(out);
  for (const std::uint32_t d : b.routing.active) {
    compose_weight(l, b.grid, d, 0, out, w.data(), out);
    compose_bias(l, b.grid, d, bias.data());
    for (std::uint32_t row = b.routing.offsets[d]; row < b.routing.offsets[d + 1]; ++row) {
      for (std::uint32_t c = 0; c < out; ++c) {
        double z = bias[c];
        for (std::uint32_t k = 0; k < in; ++k) z += double{b.x[row * in + k]} * w[k * out + c];
        if (relu) z = std::max(z, 0.0);
        ASSERT_NEAR(got.y[row * out + c], z, 1e-4 * (1 + std::abs(z))) << "y " << row << "," << c;
      }
      for (std::uint32_t k = 0; k < in; ++k) {
        double g = 0;
        for (std::uint32_t c = 0; c < out; ++c) g += double{b.dz[row * out + c]} * w[k * out + c];
        ASSERT_NEAR(got.dx[row * in + k], g, 1e-4 * (1 + std::abs(g))) << "dx " << row << "," << k;
      }
    }
  }
}

TEST(ProductLayer, ForwardAndInputGradientMatchTheComposedWeights) {
  expect_matches_composition(37, 70, true);
  expect_matches_composition(16, 16, false);
  expect_matches_composition(5, 33, true);
}

TEST(ProductLayer, ResultsDoNotDependOnThreadCount) {
  std::mt19937 rng(3);
  const Batch b(40, 100, rng);
  const LayerStorage s(b.grid, 40, 100, {true, true, true, false}, Composition::product, true, rng);
  const Passes one = run(s, b, 1);
  for (std::size_t threads : {2, 3}) {
    const Passes many = run(s, b, threads);
    EXPECT_EQ(one.y, many.y) << threads << " threads";
    EXPECT_EQ(one.dx, many.dx) << threads << " threads";
  }
}

TEST(ProductLayer, ColumnSharesAreWholeVectorsAndCoverTheWidth) {
  EXPECT_EQ(column_share(256, 2), 128u);
  EXPECT_EQ(column_share(272, 2), 144u);  // 17 vectors: 9 and 8
  EXPECT_EQ(column_share(1, 2), 16u);
  EXPECT_EQ(column_share(70, 3), 32u);
  EXPECT_EQ(column_share(70, 1), 80u);
}

TEST(ProductLayer, DomainsByTypeBlocksAreTheActiveDomainsScenarioMajorInEachBlock) {
  const DomainGrid grid{5, 3};
  // Domains (t, s) = 0..14; rows for (0,0), (0,2), (1,1), (2,0), (2,2), (3,1), (4,0), (4,1).
  std::vector<std::uint32_t> domain;
  for (std::uint32_t d : {0u, 2u, 4u, 6u, 8u, 10u, 12u, 13u, 8u, 0u}) domain.push_back(d);
  Routing r;
  route_by_domain(domain.data(), domain.size(), grid.n_domains(), r);
  // Blocks {0, 1}, {2, 3}, {4}: (0,0) (1,1) (0,2) | (2,0) (3,1) (2,2) | (4,0) (4,1)
  EXPECT_EQ(domains_by_type_blocks(grid, r, 2), (std::vector<std::uint32_t>{0, 4, 2, 6, 10, 8, 12, 13}));
  EXPECT_EQ(domains_by_type_blocks(grid, r, 1), r.active);
  EXPECT_EQ(domains_by_type_blocks(grid, r, 5), (std::vector<std::uint32_t>{0, 6, 12, 4, 10, 13, 2, 8}));
}

}  // namespace
}  // namespace mmn
