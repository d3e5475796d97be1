#include "mmn/ops/optimizers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

TEST(Adam, TwoStepsMatchHandComputedValues) {
  // lr 0.1, betas 0.9 / 0.999, eps 1e-8; gradients 0.5 then -1.0.
  float p = 1.0f, m = 0.0f, v = 0.0f;
  const AdamConfig c{0.1f, 0.9f, 0.999f, 1e-8f};
  float g = 0.5f;
  adam_update(&p, &g, &m, &v, 1, c, 1);
  // Step 1: m = 0.05, v = 0.00025, m_hat = 0.5, v_hat = 0.25: p = 1 - 0.1 * 0.5 / 0.5 = 0.9.
  EXPECT_NEAR(m, 0.05, 1e-7);
  EXPECT_NEAR(v, 0.00025, 1e-8);
  EXPECT_NEAR(p, 0.9, 1e-6);
  g = -1.0f;
  adam_update(&p, &g, &m, &v, 1, c, 2);
  // Step 2: m = 0.045 - 0.1 = -0.055, v = 0.00024975 + 0.001 = 0.00124975,
  // m_hat = -0.055 / 0.19, v_hat = 0.00124975 / 0.001999.
  const double m_hat = -0.055 / 0.19, v_hat = 0.00124975 / (1 - 0.999 * 0.999);
  EXPECT_NEAR(p, 0.9 - 0.1 * m_hat / (std::sqrt(v_hat) + 1e-8), 1e-6);
}

TEST(Adagrad, TwoStepsMatchHandComputedValues) {
  float p = 2.0f, acc = 0.1f;
  const AdagradConfig c{0.5f, 0.1f, 1e-10f};
  float g = 0.3f;
  adagrad_update(&p, &g, &acc, 1, c);
  EXPECT_NEAR(acc, 0.19, 1e-7);
  EXPECT_NEAR(p, 2.0 - 0.5 * 0.3 / std::sqrt(0.19), 1e-6);
  g = -0.4f;
  const double p1 = 2.0 - 0.5 * 0.3 / std::sqrt(0.19);
  adagrad_update(&p, &g, &acc, 1, c);
  EXPECT_NEAR(p, p1 + 0.5 * 0.4 / std::sqrt(0.35), 1e-6);
}

// L2 enters as the gradient term l2 * (p - center): with no loss gradient a parameter moves
// towards the centre by Adagrad's step on that term alone.
TEST(Adagrad, L2PullsTowardsTheCentre) {
  AdagradConfig c{0.5f, 0.1f, 1e-10f};
  c.l2 = 0.2f;
  for (const float center : {0.0f, 1.0f}) {
    c.l2_center = center;
    float p = 3.0f, acc = 0.1f, g = 0.0f;
    adagrad_update(&p, &g, &acc, 1, c);
    const double term = 0.2 * (3.0 - center);
    EXPECT_NEAR(acc, 0.1 + term * term, 1e-6);
    EXPECT_NEAR(p, 3.0 - 0.5 * term / std::sqrt(0.1 + term * term), 1e-6);
  }
}

TEST(SparseOptimizers, TouchOnlyTheRowsPresentAndMatchTheDenseUpdate) {
  const std::uint32_t dim = 2;
  SparseRows rows;
  rows.ids = {1, 3};
  rows.grads = {0.1f, -0.2f, 0.3f, 0.4f};
  std::vector<float> table = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, m(10, 0.0f), v(10, 0.0f);
  std::vector<float> dense_p = table, dense_g(10, 0.0f), dm = m, dv = v;
  dense_g[2] = 0.1f, dense_g[3] = -0.2f, dense_g[6] = 0.3f, dense_g[7] = 0.4f;
  adam_update_rows(table.data(), m.data(), v.data(), dim, rows, {}, 1);
  adam_update(dense_p.data(), dense_g.data(), dm.data(), dv.data(), 10, {}, 1);
  const std::vector<float> untouched = {1, 2, 5, 6, 9, 10};
  for (std::size_t i : {0u, 1u, 4u, 5u, 8u, 9u}) {
    EXPECT_EQ(table[i], static_cast<float>(i + 1));
    EXPECT_EQ(m[i], 0.0f);
    EXPECT_EQ(v[i], 0.0f);
  }
  for (std::size_t i : {2u, 3u, 6u, 7u}) {
    EXPECT_EQ(table[i], dense_p[i]);
    EXPECT_NE(table[i], static_cast<float>(i + 1));
  }
  std::vector<float> t2 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, acc(10, 0.1f);
  adagrad_update_rows(t2.data(), acc.data(), dim, rows, {});
  for (std::size_t i : {0u, 1u, 4u, 5u, 8u, 9u}) EXPECT_EQ(t2[i], static_cast<float>(i + 1));
  EXPECT_NEAR(t2[7], 8.0 - 0.05 * 0.4 / std::sqrt(0.1 + 0.16), 1e-6);
}

// Over several of the pool's chunks: the same bits as the update that keeps the gradients, and
// every gradient zero afterwards.
TEST(DenseOptimizers, ZeroingTheGradientsChangesNothingElse) {
  const std::size_t n = 200001;
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> p(n), g(n), m(n), v(n);
  for (auto* a : {&p, &g, &m}) for (auto& x : *a) x = normal(rng);
  for (auto& x : v) x = std::abs(normal(rng));
  ThreadPool pool(2);
  {
    std::vector<float> p1 = p, m1 = m, v1 = v, p2 = p, g2 = g, m2 = m, v2 = v;
    adam_update(p1.data(), g.data(), m1.data(), v1.data(), n, {}, 7, &pool);
    adam_update_zeroing_grads(p2.data(), g2.data(), m2.data(), v2.data(), n, {}, 7, &pool);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(p2[i], p1[i]) << i;
      ASSERT_EQ(m2[i], m1[i]) << i;
      ASSERT_EQ(v2[i], v1[i]) << i;
      ASSERT_EQ(g2[i], 0.0f) << i;
    }
  }
  std::vector<float> p1 = p, a1 = v, p2 = p, g2 = g, a2 = v;
  adagrad_update(p1.data(), g.data(), a1.data(), n, {}, &pool);
  adagrad_update_zeroing_grads(p2.data(), g2.data(), a2.data(), n, {}, &pool);
  for (std::size_t i = 0; i < n; ++i) {
    ASSERT_EQ(p2[i], p1[i]) << i;
    ASSERT_EQ(a2[i], a1[i]) << i;
    ASSERT_EQ(g2[i], 0.0f) << i;
  }
}

}  // namespace
}  // namespace mmn
