#include "mmn/ops/embedding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

TEST(Embedding, GatherConcatenatesFieldRowsThenDenseValues) {
  const std::vector<float> t0 = {0, 1, 10, 11, 20, 21};  // 3 ids x dim 2
  const std::vector<float> t1 = {100, 101, 110, 111};    // 2 ids x dim 2
  const std::vector<std::uint32_t> id0 = {2, 0}, id1 = {1, 1};
  const std::vector<float> dense = {0.5f, -0.5f};
  std::vector<float> h0(2 * 5);
  embedding_gather({t0.data(), t1.data()}, 2, {id0.data(), id1.data()}, {dense.data()}, 2, h0.data());
  EXPECT_EQ(h0, (std::vector<float>{20, 21, 110, 111, 0.5f, 0, 1, 110, 111, -0.5f}));
}

// Dimensions of whole 16-float vectors, copied as vectors, and with a remainder.
TEST(Embedding, GatherCopiesWholeVectorsAndRemainders) {
  for (const std::uint32_t dim : {16u, 21u, 37u}) {
    const std::size_t ids = 50, n = 40;
    std::vector<float> t0(ids * dim), t1(ids * dim);
    for (std::size_t i = 0; i < t0.size(); ++i) t0[i] = static_cast<float>(i), t1[i] = -static_cast<float>(i);
    std::vector<std::uint32_t> id0(n), id1(n);
    for (std::size_t i = 0; i < n; ++i) {
      id0[i] = static_cast<std::uint32_t>((i * 7) % ids);
      id1[i] = static_cast<std::uint32_t>((i * 13 + 5) % ids);
    }
    const std::size_t width = 2 * dim;
    std::vector<float> h0(n * width, std::nanf(""));
    embedding_gather({t0.data(), t1.data()}, dim, {id0.data(), id1.data()}, {}, n, h0.data());
    for (std::size_t i = 0; i < n; ++i)
      for (std::uint32_t j = 0; j < dim; ++j) {
        ASSERT_EQ(h0[i * width + j], t0[id0[i] * dim + j]) << "dim " << dim << " row " << i << " column " << j;
        ASSERT_EQ(h0[i * width + dim + j], t1[id1[i] * dim + j]) << "dim " << dim << " row " << i << " column " << j;
      }
  }
}

TEST(Embedding, BackwardSumsEachIdsRowsAndListsOnlyTouchedIds) {
  ThreadPool pool(2);
  std::mt19937 rng(5);
  const std::size_t n = 300, dim = 3, width = 2 * dim + 1;
  std::vector<std::uint32_t> id0(n), id1(n);
  for (std::size_t i = 0; i < n; ++i) id0[i] = rng() % 50, id1[i] = (rng() % 2) * 1000;
  std::vector<float> dh0(n * width);
  for (auto& v : dh0) v = static_cast<float>(rng() % 100) / 10.0f;
  std::vector<SparseRows> out;
  embedding_backward(dim, {id0.data(), id1.data()}, n, dh0.data(), width, out, pool);
  ASSERT_EQ(out.size(), 2u);
  for (int f = 0; f < 2; ++f) {
    const auto& ids = f == 0 ? id0 : id1;
    std::map<std::uint32_t, std::vector<double>> expected;
    for (std::size_t i = 0; i < n; ++i) {
      auto& e = expected[ids[i]];
      e.resize(dim, 0.0);
      for (std::size_t j = 0; j < dim; ++j) e[j] += dh0[i * width + f * dim + j];
    }
    ASSERT_EQ(out[f].ids.size(), expected.size());
    std::size_t k = 0;
    for (const auto& [id, g] : expected) {
      EXPECT_EQ(out[f].ids[k], id);
      for (std::size_t j = 0; j < dim; ++j) EXPECT_NEAR(out[f].grads[k * dim + j], g[j], 1e-3);
      ++k;
    }
  }
}

// Ids over the whole 32-bit range (every radix digit differs) and an empty batch: each id's
// gradient is the float sum of its rows in row order, bit for bit.
TEST(Embedding, BackwardOverFullRangeIdsSumsInRowOrder) {
  ThreadPool pool(2);
  std::mt19937 rng(11);
  std::vector<std::uint32_t> pool_of_ids = {0u, 1u, 2047u, 2048u, 4194303u, 4194304u, 0xFFFFFFFFu, 0x80000000u};
  for (int i = 0; i < 30; ++i) pool_of_ids.push_back(static_cast<std::uint32_t>(rng()));
  const std::size_t n = 5000, dim = 4;
  std::vector<std::uint32_t> id(n);
  for (auto& v : id) v = pool_of_ids[rng() % pool_of_ids.size()];
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> dh0(n * dim);
  for (auto& v : dh0) v = u(rng);
  std::vector<SparseRows> out;
  embedding_backward(dim, {id.data()}, n, dh0.data(), dim, out, pool);
  std::map<std::uint32_t, std::vector<float>> expected;
  for (std::size_t i = 0; i < n; ++i) {
    auto& e = expected[id[i]];
    e.resize(dim, 0.0f);
    for (std::size_t j = 0; j < dim; ++j) e[j] += dh0[i * dim + j];
  }
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].ids.size(), expected.size());
  std::size_t k = 0;
  for (const auto& [v, g] : expected) {
    EXPECT_EQ(out[0].ids[k], v);
    for (std::size_t j = 0; j < dim; ++j) EXPECT_EQ(out[0].grads[k * dim + j], g[j]) << "id " << v;
    ++k;
  }
  embedding_backward(dim, {id.data()}, 0, dh0.data(), dim, out, pool);
  EXPECT_TRUE(out[0].ids.empty());
  EXPECT_TRUE(out[0].grads.empty());
}

}  // namespace
}  // namespace mmn
