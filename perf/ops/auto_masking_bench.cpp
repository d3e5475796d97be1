// The cost of auto-masking on the CPU: the CVR tower 272-256-128-1 (product
// composition, forward) on a mixed-domain batch, computed three ways, as a function of
// the number of domains and the batch size:
//   grouped:     mmn's routing (route, gather, composed layers per segment, scatter back);
//   masked:      the paper's literal form, every tower on every row, kept by the mask;
//   partitioned: data already split by domain, per-domain weights already materialised,
//                one dense GEMM chain per domain: no routing, no composition (the floor).
// The masked form costs domains x batch towers: combinations above kMaskedCap
// domain-rows are not run (they would take minutes). Smoke runs use the two smallest
// grids and one batch size. `mmn-perf-masking-table` turns the JSON into a table.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>

#include "mmn/ops/blas.h"
#include "mmn/ops/masked_tower.h"
#include "mmn/util/thread_pool.h"
#include "roofline_counters.h"
#include "routed_batch.h"
#include "run_mode.h"

namespace {

using namespace mmn;

constexpr double kMaskedCap = 1 << 19;  // domains x batch rows
constexpr std::uint32_t kRowBlock = 512;

DomainGrid grid_of(std::uint32_t domains) {
  switch (domains) {
    case 1:
      return {1, 1};
    case 16:
      return {4, 4};
    case 357:
      return {17, 21};
    case 1000:
      return {40, 25};
    default:
      return {domains / 50, 50};
  }
}

struct Tower {
  std::vector<perf::LayerParams> params;
  std::vector<ComposedLayer> layers;
  double flops_per_row = 0;

  explicit Tower(const DomainGrid& grid) {
    params.reserve(perf::kTowerWidths.size() - 1);
    for (std::size_t i = 0; i + 1 < perf::kTowerWidths.size(); ++i) {
      params.emplace_back(grid, perf::kTowerWidths[i], perf::kTowerWidths[i + 1], Composition::product,
                          perf::kMmnGroups, i + 2 < perf::kTowerWidths.size());
      flops_per_row += perf::gemm_flops(params.back().layer, 1.0);
    }
    for (const auto& p : params) layers.push_back(p.layer);
  }
};

struct Case {
  DomainGrid grid;
  std::size_t rows;
  Tower tower;
  perf::RoutedBatch batch;
  std::vector<float> x;

  explicit Case(const benchmark::State& state)
      : grid(grid_of(static_cast<std::uint32_t>(state.range(0)))),
        rows(static_cast<std::size_t>(state.range(1))),
        tower(grid),
        batch(grid, rows),
        x(perf::random_floats(rows * perf::kTowerWidths[0], 7)) {}
};

void finish(benchmark::State& state, const Case& c) {
  // the useful work: one tower per row
  perf::report_flops(state, c.tower.flops_per_row * static_cast<double>(c.rows));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(c.rows * state.iterations()), benchmark::Counter::kIsRate);
  state.counters["active_domains"] = c.batch.active();
}

void BM_Grouped(benchmark::State& state) {
  Case c(state);
  ThreadPool pool;
  std::vector<std::vector<float>> acts(c.tower.layers.size() + 1);
  acts[0].resize(c.x.size());
  for (std::size_t i = 0; i < c.tower.layers.size(); ++i) acts[i + 1].resize(c.rows * c.tower.layers[i].out);
  std::vector<float> logit(c.rows);
  Routing routing;
  for (auto _ : state) {
    route_by_domain(c.batch.domain.data(), c.rows, c.grid.n_domains(), routing);
    gather_rows(routing, c.x.data(), perf::kTowerWidths[0], acts[0].data());
    for (std::size_t i = 0; i < c.tower.layers.size(); ++i)
      composed_forward(c.tower.layers[i], c.grid, routing, acts[i].data(), acts[i + 1].data(), pool);
    scatter_rows(routing, acts.back().data(), 1, logit.data(), false);
    benchmark::DoNotOptimize(logit.data());
  }
  finish(state, c);
}

void BM_Masked(benchmark::State& state) {
  Case c(state);
  ThreadPool pool;
  std::vector<float> logit(c.rows);
  for (auto _ : state) {
    masked_tower_forward(c.tower.layers, c.grid, c.x.data(), c.batch.domain.data(), c.rows, logit.data(), pool);
    benchmark::DoNotOptimize(logit.data());
  }
  finish(state, c);
}

void BM_Partitioned(benchmark::State& state) {
  Case c(state);
  ThreadPool pool;
  const Routing& r = c.batch.routing;
  const std::size_t depth = c.tower.layers.size();
  // per active domain and layer: materialised weights and bias
  std::vector<std::vector<std::vector<float>>> w(r.active.size()), b(r.active.size());
  for (std::size_t a = 0; a < r.active.size(); ++a)
    for (const ComposedLayer& l : c.tower.layers) {
      w[a].emplace_back(std::size_t{l.in} * l.out);
      b[a].emplace_back(l.out);
      compose_weight(l, c.grid, r.active[a], 0, l.out, w[a].back().data(), l.out);
      compose_bias(l, c.grid, r.active[a], b[a].back().data());
    }
  std::vector<float> x_split(c.x.size());
  gather_rows(r, c.x.data(), perf::kTowerWidths[0], x_split.data());
  struct Task {
    std::size_t active, begin, end;
  };
  std::vector<Task> tasks;
  for (std::size_t a = 0; a < r.active.size(); ++a)
    for (std::size_t k = r.offsets[r.active[a]]; k < r.offsets[r.active[a] + 1]; k += kRowBlock)
      tasks.push_back({a, k, std::min<std::size_t>(k + kRowBlock, r.offsets[r.active[a] + 1])});
  std::stable_sort(tasks.begin(), tasks.end(),
                   [](const Task& p, const Task& q) { return p.end - p.begin > q.end - q.begin; });
  std::vector<float> out(c.rows);
  for (auto _ : state) {
    pool.run(tasks.size(), [&](std::size_t i) {
      const Task& t = tasks[i];
      thread_local std::vector<float> buf[2];
      const float* in = x_split.data() + t.begin * perf::kTowerWidths[0];
      const auto n = static_cast<int>(t.end - t.begin);
      for (std::size_t li = 0; li < depth; ++li) {
        const ComposedLayer& l = c.tower.layers[li];
        std::vector<float>& y = buf[li % 2];
        y.resize(std::size_t{kRowBlock} * l.out);
        blas::sgemm(false, false, n, static_cast<int>(l.out), static_cast<int>(l.in), 1.0f, in, static_cast<int>(l.in),
                    w[t.active][li].data(), static_cast<int>(l.out), 0.0f, y.data(), static_cast<int>(l.out));
        const float* bias = b[t.active][li].data();
        for (int row = 0; row < n; ++row) {
          float* yr = y.data() + static_cast<std::size_t>(row) * l.out;
          for (std::uint32_t j = 0; j < l.out; ++j) yr[j] = l.relu ? std::max(yr[j] + bias[j], 0.0f) : yr[j] + bias[j];
        }
        in = y.data();
      }
      std::copy(in, in + n, out.data() + t.begin);
    });
    benchmark::DoNotOptimize(out.data());
  }
  finish(state, c);
}

const bool registered = [] {
  const std::vector<std::int64_t> domains =
      perf::smoke() ? std::vector<std::int64_t>{1, 16} : std::vector<std::int64_t>{1, 16, 357, 1000, 2000};
  const std::vector<std::int64_t> batches =
      perf::smoke() ? std::vector<std::int64_t>{256} : std::vector<std::int64_t>{256, 1024, 4096, 16384};
  const double min_time = perf::min_time(1.0);
  for (const std::int64_t d : domains)
    for (const std::int64_t n : batches) {
      for (const auto& [name, fn] :
           {std::pair{"AutoMasking/grouped", BM_Grouped}, std::pair{"AutoMasking/partitioned", BM_Partitioned},
            std::pair{"AutoMasking/masked", BM_Masked}}) {
        if (fn == BM_Masked && static_cast<double>(d * n) > kMaskedCap) continue;
        benchmark::RegisterBenchmark(name, fn)
            ->Args({d, n})
            ->ArgNames({"domains", "batch"})
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime()
            ->MinTime(min_time);
      }
    }
  return true;
}();

}  // namespace
