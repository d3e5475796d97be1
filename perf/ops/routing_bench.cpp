// Routing rows to their domains (histogram, scan, stable counting sort) and moving
// layer inputs into routed order, as bytes read + written against the memory roofline.
#include <benchmark/benchmark.h>

#include "mmn/ops/routing.h"
#include "op_fixtures.h"
#include "roofline_counters.h"
#include "run_mode.h"

namespace {

using namespace mmn;

void BM_RouteByDomain(benchmark::State& state) {
  const auto rows = static_cast<std::size_t>(state.range(0));
  const std::vector<std::uint32_t> domain = perf::zipf_domains(rows, perf::kCriteoGrid.n_domains(), 3);
  Routing routing;
  for (auto _ : state) {
    route_by_domain(domain.data(), rows, perf::kCriteoGrid.n_domains(), routing);
    benchmark::DoNotOptimize(routing.order.data());
  }
  // ids read twice (histogram, placement), order written, offsets written
  const double bytes = 4.0 * (3.0 * static_cast<double>(rows) + perf::kCriteoGrid.n_domains() + 1);
  perf::report_bytes(state, bytes);
}
BENCHMARK(BM_RouteByDomain)
    ->ArgName("rows")
    ->Arg(4096)
    ->Arg(1 << 20)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MinTime(perf::min_time(0.5));

void gather_or_scatter(benchmark::State& state, bool gather) {
  const std::size_t rows = perf::kBatchRows;
  const auto width = static_cast<std::size_t>(state.range(0));
  const std::vector<std::uint32_t> domain = perf::zipf_domains(rows, perf::kCriteoGrid.n_domains(), 3);
  Routing routing;
  route_by_domain(domain.data(), rows, perf::kCriteoGrid.n_domains(), routing);
  const std::vector<float> in = perf::random_floats(rows * width, 1);
  std::vector<float> out(rows * width);
  for (auto _ : state) {
    if (gather)
      gather_rows(routing, in.data(), width, out.data());
    else
      scatter_rows(routing, in.data(), width, out.data(), false);
    benchmark::DoNotOptimize(out.data());
  }
  perf::report_bytes(state, static_cast<double>(rows) * (8.0 * static_cast<double>(width) + 4.0));
}
void BM_GatherRows(benchmark::State& state) { gather_or_scatter(state, true); }
void BM_ScatterRows(benchmark::State& state) { gather_or_scatter(state, false); }
BENCHMARK(BM_GatherRows)
    ->ArgName("width")
    ->Arg(272)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MinTime(perf::min_time(0.5));
BENCHMARK(BM_ScatterRows)
    ->ArgName("width")
    ->Arg(1)
    ->Arg(272)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MinTime(perf::min_time(0.5));

}  // namespace
