// Device routing against the CPU op (host/mmn/ops/routing.h), in every thread order of the
// emulator. Everything here is integer or a copy, so results must be exact.
#include "mmn/kernels/routing.cuh"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/ops/routing.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn {
namespace {

// Zipf-like traffic over n_domains, every `absent_every`-th domain without rows.
std::vector<std::uint32_t> random_domains(std::uint32_t rows, std::uint32_t n_domains, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::uint32_t> domain;
  while (domain.size() < rows) {
    const auto rank = static_cast<std::uint32_t>(std::pow(u(rng), 2.5) * n_domains) % n_domains;
    const std::uint32_t d = (rank * 7919u) % n_domains;
    if (n_domains > 4 && d % 5 == 3) continue;  // absent domains
    domain.push_back(d);
  }
  return domain;
}

struct Routed {
  std::vector<std::uint32_t> order, offsets, tile_count;
  std::vector<kernels::RouteTile> table;
  std::vector<float> gathered, scattered;
  bool operator==(const Routed& o) const {
    auto same_tiles = [](const std::vector<kernels::RouteTile>& a, const std::vector<kernels::RouteTile>& b) {
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].domain != b[i].domain || a[i].row_begin != b[i].row_begin || a[i].row_end != b[i].row_end) return false;
      return true;
    };
    return order == o.order && offsets == o.offsets && tile_count == o.tile_count && same_tiles(table, o.table) &&
           gathered == o.gathered && scattered == o.scattered;
  }
};

constexpr std::uint32_t kWidth = 5;

Routed route_on_device(const std::vector<std::uint32_t>& domain_ids, std::uint32_t n_domains, std::uint32_t tile_rows,
                       const std::vector<float>& values) {
  const auto rows = static_cast<std::uint32_t>(domain_ids.size());
  DeviceBuffer<std::uint32_t> domain(domain_ids), order(rows), offsets(n_domains + 1),
      block_counts(std::size_t{n_domains} * kernels::route_blocks(rows)), tiles(n_domains), tile_starts(n_domains),
      tile_count(1);
  const std::uint32_t max_tiles = kernels::route_max_tiles(rows, n_domains, tile_rows);
  DeviceBuffer<kernels::RouteTile> table(max_tiles);
  kernels::RouteArgs a;
  a.domain = domain.data(), a.rows = rows, a.n_domains = n_domains, a.tile_rows = tile_rows;
  a.order = order.data(), a.offsets = offsets.data(), a.block_counts = block_counts.data();
  a.tiles = tiles.data(), a.tile_starts = tile_starts.data(), a.table = table.data(), a.tile_count = tile_count.data();
  kernels::route_by_domain(a, nullptr);

  DeviceBuffer<float> in(values), gathered(values.size()), scattered(values.size());
  MMN_LAUNCH(kernels::gather_rows, dim3(64), dim3(32), 0, nullptr, static_cast<const std::uint32_t*>(order.data()),
             rows, static_cast<const float*>(in.data()), kWidth, gathered.data());
  std::vector<float> base(values.size(), 1.0f);
  scattered.upload(base);
  MMN_LAUNCH(kernels::scatter_rows, dim3(64), dim3(32), 0, nullptr, static_cast<const std::uint32_t*>(order.data()),
             rows, static_cast<const float*>(gathered.data()), kWidth, scattered.data(), true);

  Routed r{order.download(), offsets.download(), tile_count.download(), table.download(), gathered.download(),
           scattered.download()};
  r.table.resize(r.tile_count[0]);
  return r;
}

struct Case {
  std::uint32_t rows, n_domains, tile_rows;
};

class RoutingKernels : public ::testing::TestWithParam<Case> {};

TEST_P(RoutingKernels, EqualTheCpuRoutingInEveryThreadOrder) {
  const Case c = GetParam();
  const std::vector<std::uint32_t> domain = random_domains(c.rows, c.n_domains, c.rows * 31 + c.n_domains);
  std::vector<float> values(std::size_t{c.rows} * kWidth);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 9973) * 0.5f;

  const auto runs = sim::run_in_all_orders([&] { return route_on_device(domain, c.n_domains, c.tile_rows, values); });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  const Routed& got = runs.results.front();

  Routing want;
  route_by_domain(domain.data(), domain.size(), c.n_domains, want);
  EXPECT_EQ(got.order, want.order);
  EXPECT_EQ(got.offsets, want.offsets);

  std::vector<kernels::RouteTile> tiles;
  for (std::uint32_t d = 0; d < c.n_domains; ++d)
    for (std::uint32_t r = want.offsets[d]; r < want.offsets[d + 1]; r += c.tile_rows)
      tiles.push_back({d, r, std::min(r + c.tile_rows, want.offsets[d + 1])});
  ASSERT_EQ(got.tile_count[0], tiles.size());
  ASSERT_LE(tiles.size(), kernels::route_max_tiles(c.rows, c.n_domains, c.tile_rows));
  for (std::size_t t = 0; t < tiles.size(); ++t) {
    EXPECT_EQ(got.table[t].domain, tiles[t].domain) << "tile " << t;
    EXPECT_EQ(got.table[t].row_begin, tiles[t].row_begin) << "tile " << t;
    EXPECT_EQ(got.table[t].row_end, tiles[t].row_end) << "tile " << t;
  }

  std::vector<float> gathered(values.size()), scattered(values.size(), 1.0f);
  gather_rows(want, values.data(), kWidth, gathered.data());
  scatter_rows(want, gathered.data(), kWidth, scattered.data(), true);
  EXPECT_EQ(got.gathered, gathered);
  EXPECT_EQ(got.scattered, scattered);
}

INSTANTIATE_TEST_SUITE_P(Batches, RoutingKernels,
                         ::testing::Values(Case{1, 357, 64}, Case{17, 357, 16}, Case{4096, 357, 64},
                                           Case{4097, 357, 128}, Case{20000, 12, 64}, Case{300, 1, 64},
                                           Case{5000, 4096, 32}),
                         [](const ::testing::TestParamInfo<Case>& p) {
                           return "rows" + std::to_string(p.param.rows) + "_domains" +
                                  std::to_string(p.param.n_domains) + "_tile" + std::to_string(p.param.tile_rows);
                         });

}  // namespace
}  // namespace mmn
