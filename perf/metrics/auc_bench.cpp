// ROC AUC over 2^20 scores (a sort, then one pass counting pairs), as bytes read
// (score and label per row) against the memory roofline: the sort makes it far from
// memory-bound, the fraction says how far.
#include <benchmark/benchmark.h>

#include "mmn/metrics/auc.h"
#include "ops/op_fixtures.h"
#include "roofline_counters.h"
#include "run_mode.h"

namespace {

void BM_Auc(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<float> scores = mmn::perf::random_floats(n, 1);
  std::vector<std::uint8_t> labels(n);
  for (std::size_t i = 0; i < n; ++i) labels[i] = scores[i] + 0.3f * static_cast<float>(i % 3) > 0.5f;
  for (auto _ : state) benchmark::DoNotOptimize(mmn::auc(scores.data(), labels.data(), n));
  mmn::perf::report_bytes(state, 5.0 * static_cast<double>(n));
  state.counters["rows/s"] =
      benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Auc)
    ->ArgName("rows")
    ->Arg(1 << 20)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(mmn::perf::min_time(1.0));

}  // namespace
