// One product-composed MMN layer (shared ⊙ type ⊙ scenario) on a routed criteo-like
// batch, for each layer of the CVR tower: forward and backward as the trainer runs them
// (product_layer.h and type_grouped_fold.h; the last layer's forward composes W_d per
// domain), and the general per-domain fold alone. Counted FLOPs against the sgemm roofline: GEMMs 2 per multiply-add;
// composing (groups - 1) per weight and active domain; the fold 3 per group, weight
// and active domain.
#include <benchmark/benchmark.h>

#include "mmn/ops/product_layer.h"
#include "mmn/util/thread_pool.h"
#include "roofline_counters.h"
#include "routed_batch.h"
#include "run_mode.h"

namespace {

using namespace mmn;

struct LayerCase {
  perf::RoutedBatch batch{perf::kCriteoGrid, perf::kBatchRows};
  perf::LayerParams params;
  // The layer as the towers run it: the forward packs its weights into `packed`, the backward
  // reads them back.
  ComposedLayer layer;
  std::vector<float> packed, x, y, dy, dx;

  explicit LayerCase(std::size_t layer_index)
      : params(perf::kCriteoGrid, perf::kTowerWidths[layer_index], perf::kTowerWidths[layer_index + 1],
               Composition::product),
        layer(params.layer),
        packed(packed_product_weights_size(layer, perf::kCriteoGrid)) {
    layer.packed = packed.data();
    const ComposedLayer& l = params.layer;
    x = perf::random_floats(perf::kBatchRows * l.in, 7);
    y.resize(perf::kBatchRows * l.out);
    dy = perf::random_floats(perf::kBatchRows * l.out, 8);
    dx.resize(perf::kBatchRows * l.in);
  }
  double fold_flops() const { return 3.0 * params.groups() * params.layer.in * params.layer.out * batch.active(); }
};

void BM_ComposedForward(benchmark::State& state) {
  LayerCase c(static_cast<std::size_t>(state.range(0)));
  ThreadPool pool;
  for (auto _ : state) {
    composed_forward(c.layer, perf::kCriteoGrid, c.batch.routing, c.x.data(), c.y.data(), pool);
    benchmark::DoNotOptimize(c.y.data());
  }
  perf::report_flops(
      state, perf::gemm_flops(c.params.layer, c.batch.rows()) + perf::compose_flops(c.params) * c.batch.active());
}

void BM_ComposedBackward(benchmark::State& state) {
  LayerCase c(static_cast<std::size_t>(state.range(0)));
  ThreadPool pool;
  composed_forward(c.layer, perf::kCriteoGrid, c.batch.routing, c.x.data(), c.y.data(), pool);
  for (auto _ : state) {
    composed_backward(c.layer, perf::kCriteoGrid, c.batch.routing, c.x.data(), c.y.data(), c.dy.data(), c.dx.data(),
                      c.params.grad, pool);
    benchmark::DoNotOptimize(c.dx.data());
  }
  perf::report_flops(state, 2.0 * perf::gemm_flops(c.params.layer, c.batch.rows()) +
                                perf::compose_flops(c.params) * c.batch.active() + c.fold_flops());
}

// G_d = x_d^T dz_d and its fold into W, Wt[t], Ws[s] for every active domain, one thread.
void BM_FoldDomainGradient(benchmark::State& state) {
  LayerCase c(static_cast<std::size_t>(state.range(0)));
  const ComposedLayer& l = c.params.layer;
  const Routing& r = c.batch.routing;
  for (auto _ : state) {
    for (const std::uint32_t d : r.active)
      fold_domain_gradient(l, perf::kCriteoGrid, d, c.x.data() + std::size_t{r.offsets[d]} * l.in,
                           c.dy.data() + std::size_t{r.offsets[d]} * l.out, r.rows(d), 0, l.out, c.params.grad);
    benchmark::DoNotOptimize(c.params.dw[kShared].data());
  }
  perf::report_flops(state, perf::gemm_flops(l, c.batch.rows()) + c.fold_flops());
  state.counters["threads"] = 1;
}

BENCHMARK(BM_ComposedForward)->Apply(perf::per_layer);
BENCHMARK(BM_ComposedBackward)->Apply(perf::per_layer);
BENCHMARK(BM_FoldDomainGradient)->Apply(perf::per_layer);

}  // namespace
