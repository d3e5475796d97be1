// The literal auto-masking (every domain's tower on every row, the mask keeps each
// row's own): the whole CVR tower 272-256-128-1 on a 4 x 4 grid (16 domains), 1024
// rows. Counted FLOPs are the work the masked form does (16 towers per row), against
// the sgemm roofline; `useful_share` is the part of it a routed tower needs (1/16).
// The cost of masking against routing over many grid sizes: auto_masking_bench.
#include <benchmark/benchmark.h>

#include "mmn/ops/masked_tower.h"
#include "mmn/util/thread_pool.h"
#include "op_fixtures.h"
#include "roofline_counters.h"
#include "run_mode.h"

namespace {

using namespace mmn;

constexpr DomainGrid kGrid{4, 4};
constexpr std::size_t kRows = 1024;

void run(benchmark::State& state, bool backward) {
  std::vector<perf::LayerParams> params;
  std::vector<ComposedLayer> layers;
  std::vector<ComposedLayerGrad> grads;
  params.reserve(perf::kTowerWidths.size() - 1);
  for (std::size_t i = 0; i + 1 < perf::kTowerWidths.size(); ++i)
    params.emplace_back(kGrid, perf::kTowerWidths[i], perf::kTowerWidths[i + 1], Composition::product, perf::kMmnGroups,
                        i + 2 < perf::kTowerWidths.size());
  double tower_flops = 0, compose = 0;
  for (const auto& p : params) {
    layers.push_back(p.layer);
    grads.push_back(p.grad);
    tower_flops += perf::gemm_flops(p.layer, 1.0);
    compose += perf::compose_flops(p);
  }
  const std::vector<std::uint32_t> domain = perf::zipf_domains(kRows, kGrid.n_domains(), 4);
  const std::vector<float> x = perf::random_floats(kRows * perf::kTowerWidths[0], 7);
  const std::vector<float> d_logit = perf::random_floats(kRows, 9);
  std::vector<float> logit(kRows), dx(kRows * perf::kTowerWidths[0]);
  ThreadPool pool;
  for (auto _ : state) {
    if (backward)
      masked_tower_backward(layers, kGrid, x.data(), domain.data(), kRows, d_logit.data(), dx.data(), grads, pool);
    else
      masked_tower_forward(layers, kGrid, x.data(), domain.data(), kRows, logit.data(), pool);
    benchmark::DoNotOptimize(backward ? dx.data() : logit.data());
  }
  // backward recomputes the forward, then dx and the weight gradient: 3 GEMMs per layer
  const double gemms = backward ? 3.0 : 1.0;
  const double work = kGrid.n_domains() * (gemms * tower_flops * kRows + compose);
  perf::report_flops(state, work);
  state.counters["useful_share"] = 1.0 / kGrid.n_domains();
}

void BM_MaskedTowerForward(benchmark::State& state) { run(state, false); }
void BM_MaskedTowerBackward(benchmark::State& state) { run(state, true); }
BENCHMARK(BM_MaskedTowerForward)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(perf::min_time(0.5));
BENCHMARK(BM_MaskedTowerBackward)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(perf::min_time(0.5));

}  // namespace
