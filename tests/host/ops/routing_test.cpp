#include "mmn/ops/routing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

TEST(Routing, StableCountingSortMatchesStableSortOracle) {
  std::mt19937 rng(3);
  for (std::size_t n : {0u, 1u, 17u, 4096u}) {
    std::vector<std::uint32_t> domain(n);
    for (auto& d : domain) d = (rng() % 4 == 0) ? rng() % 357 : rng() % 5;  // skewed, many empty domains
    Routing r;
    route_by_domain(domain.data(), n, 357, r);
    std::vector<std::uint32_t> expected(n);
    std::iota(expected.begin(), expected.end(), 0u);
    std::stable_sort(expected.begin(), expected.end(), [&](auto a, auto b) { return domain[a] < domain[b]; });
    EXPECT_EQ(r.order, expected);
    ASSERT_EQ(r.offsets.size(), 358u);
    EXPECT_EQ(r.offsets.back(), n);
    std::vector<std::uint32_t> active;
    for (std::uint32_t d = 0; d < 357; ++d) {
      const auto count = static_cast<std::uint32_t>(std::count(domain.begin(), domain.end(), d));
      EXPECT_EQ(r.rows(d), count);
      if (count > 0) active.push_back(d);
      for (std::uint32_t k = r.offsets[d]; k < r.offsets[d + 1]; ++k) EXPECT_EQ(domain[r.order[k]], d);
    }
    EXPECT_EQ(r.active, active);
  }
}

TEST(Routing, GatherThenScatterRestoresRowsAndScatterAccumulates) {
  const std::vector<std::uint32_t> domain = {2, 0, 2, 1, 0};
  Routing r;
  route_by_domain(domain.data(), domain.size(), 3, r);
  EXPECT_EQ(r.order, (std::vector<std::uint32_t>{1, 4, 3, 0, 2}));
  std::vector<float> rows = {0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f, 4, 4.5f};  // 5 rows x 2
  std::vector<float> routed(10), back(10, 0.0f);
  gather_rows(r, rows.data(), 2, routed.data());
  EXPECT_EQ(routed, (std::vector<float>{1, 1.5f, 4, 4.5f, 3, 3.5f, 0, 0.5f, 2, 2.5f}));
  scatter_rows(r, routed.data(), 2, back.data(), false);
  EXPECT_EQ(back, rows);
  scatter_rows(r, routed.data(), 2, back.data(), true);
  for (std::size_t i = 0; i < 10; ++i) EXPECT_EQ(back[i], 2 * rows[i]);
}

// Over a pool, with more rows than one task takes: every row lands where the routing says.
TEST(Routing, GatherAndScatterOverAPoolMoveEveryRow) {
  ThreadPool pool(2);
  std::mt19937 rng(9);
  const std::size_t n = 3000;
  for (const std::size_t width : {std::size_t{3}, std::size_t{1}}) {  // 1: the one-value path
    std::vector<std::uint32_t> domain(n);
    for (auto& d : domain) d = rng() % 40;
    Routing r;
    route_by_domain(domain.data(), n, 40, r);
    std::vector<float> rows(n * width);
    for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<float>(i);
    std::vector<float> routed(n * width), back(n * width, 1.0f);
    gather_rows(r, rows.data(), width, routed.data(), &pool);
    for (std::size_t k = 0; k < n; ++k)
      for (std::size_t j = 0; j < width; ++j) ASSERT_EQ(routed[k * width + j], rows[r.order[k] * width + j]);
    scatter_rows(r, routed.data(), width, back.data(), true, &pool);
    for (std::size_t i = 0; i < rows.size(); ++i) ASSERT_EQ(back[i], rows[i] + 1.0f);
    scatter_rows(r, routed.data(), width, back.data(), false, &pool);
    EXPECT_EQ(back, rows);
  }
}

}  // namespace
}  // namespace mmn
