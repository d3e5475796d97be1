// The sum composition factorised (x W + x Wt[t] + x Ws[s]: three GEMMs per row, no
// per-domain weights) on a routed criteo-like batch, for each layer of the CVR tower.
// Counted FLOPs against the sgemm roofline: forward 3 GEMMs, backward 6 (dx and the
// weight gradient of each group).
#include <benchmark/benchmark.h>

#include "mmn/ops/factorised_sum_layer.h"
#include "mmn/util/thread_pool.h"
#include "roofline_counters.h"
#include "routed_batch.h"
#include "run_mode.h"

namespace {

using namespace mmn;

void run(benchmark::State& state, bool backward) {
  const auto index = static_cast<std::size_t>(state.range(0));
  const perf::RoutedBatch batch(perf::kCriteoGrid, perf::kBatchRows);
  perf::LayerParams p(perf::kCriteoGrid, perf::kTowerWidths[index], perf::kTowerWidths[index + 1], Composition::sum);
  const ComposedLayer& l = p.layer;
  if (!factorises(l)) {
    state.SkipWithError("the sum layer does not factorise");
    return;
  }
  const std::vector<float> x = perf::random_floats(perf::kBatchRows * l.in, 7);
  const std::vector<float> dz = perf::random_floats(perf::kBatchRows * l.out, 8);
  std::vector<float> y(perf::kBatchRows * l.out), dx(perf::kBatchRows * l.in);
  ThreadPool pool;
  for (auto _ : state) {
    if (backward)
      factorised_sum_backward(l, perf::kCriteoGrid, batch.routing, x.data(), dz.data(), dx.data(), p.grad, pool);
    else
      factorised_sum_forward(l, perf::kCriteoGrid, batch.routing, x.data(), y.data(), pool);
    benchmark::DoNotOptimize(backward ? dx.data() : y.data());
  }
  perf::report_flops(state, (backward ? 6.0 : 3.0) * perf::gemm_flops(l, batch.rows()));
}

void BM_FactorisedSumForward(benchmark::State& state) { run(state, false); }
void BM_FactorisedSumBackward(benchmark::State& state) { run(state, true); }
BENCHMARK(BM_FactorisedSumForward)->Apply(perf::per_layer);
BENCHMARK(BM_FactorisedSumBackward)->Apply(perf::per_layer);

}  // namespace
