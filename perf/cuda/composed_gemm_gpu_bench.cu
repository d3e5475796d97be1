// The grouped composed tower layer on the GPU (cuda/mmn/kernels/composed_gemm.cuh) for each
// layer of the criteo-like CVR tower (272->256, 256->128, 128->1; 17 x 21 domains, Zipf
// traffic) at batches of 4096 and 65536 rows, routed on the device:
//   ComposedForwardGpu:  y = act(x W_d + b_d), W_d = W ⊙ Wt[t] ⊙ Ws[s] composed while loading,
//                        rows already routed (as the cuBLAS variants in grouped_gemm_bench.cu);
//   ComposedDxGpu:       dx = dz W_d^T (composed_dx_kernel alone);
//   ComposedFoldGpu/deterministic, /atomic: G_d = x_d^T dz_d folded into dW, dWt, dWs and the
//                        biases (composed_backward without dx and without ReLU: the fold alone).
// Each configuration is checked against the CPU op (host/mmn/ops/composed_layer.h) before it is
// timed. Counted FLOPs as perf/ops/composed_layer_bench.cpp counts them: GEMMs 2 per multiply-add
// of the useful work, composing (groups - 1) per weight and active domain, the fold 3 per group,
// weight and active domain (the kernels compose again for each row tile: not counted). Counted
// bytes: the least traffic: inputs read once, outputs written once, every parameter set read
// once, gradient sets read and written once.
#include <benchmark/benchmark.h>

#include <string>
#include <utility>
#include <vector>

#include "agreement.h"
#include "device_layer.h"
#include "gpu_check.h"
#include "gpu_registration.h"
#include "gpu_roofline.h"
#include "gpu_timer.h"
#include "mmn/device/device_buffer.h"
#include "mmn/kernels/composed_gemm.cuh"
#include "mmn/kernels/device_routing.h"
#include "mmn/util/thread_pool.h"
#include "ops/routed_batch.h"

namespace {

using namespace mmn;

enum class Pass { forward, dx, fold_deterministic, fold_atomic };

struct LayerCase {
  perf::RoutedBatch batch;
  perf::LayerParams params;
  std::vector<float> x, dy;  // routed rows
  perf::DeviceLayer device;
  kernels::DeviceRouting routing;
  DeviceBuffer<float> x_dev, y_dev, dy_dev, dx_dev;

  LayerCase(std::size_t layer, std::size_t rows)
      : batch(perf::kCriteoGrid, rows),
        params(perf::kCriteoGrid, perf::kTowerWidths[layer], perf::kTowerWidths[layer + 1], Composition::product,
               perf::kMmnGroups, layer + 2 < perf::kTowerWidths.size()),  // the logit layer has no ReLU
        x(perf::random_floats(rows * params.layer.in, 7)),
        dy(perf::random_floats(rows * params.layer.out, 8)),
        device(params, perf::kCriteoGrid),
        routing(batch.domain, perf::kCriteoGrid.n_domains(), nullptr),
        x_dev(x),
        y_dev(rows * params.layer.out),
        dy_dev(dy),
        dx_dev(rows * params.layer.in) {}

  const ComposedLayer& layer() const { return params.layer; }
  double rows() const { return batch.rows(); }
  double weight_floats() const {
    double n = 0;
    for (const auto& w : params.w) n += static_cast<double>(w.size());
    return n;
  }
  double bias_floats() const {
    double n = 0;
    for (const auto& b : params.b) n += static_cast<double>(b.size());
    return n;
  }
  double gemm_flops() const { return perf::gemm_flops(layer(), rows()); }
  double compose_flops() const { return perf::compose_flops(params) * batch.active(); }
};

void check_forward(LayerCase& c) {
  ThreadPool pool;
  std::vector<float> want(c.y_dev.size());
  composed_forward(c.layer(), perf::kCriteoGrid, c.batch.routing, c.x.data(), want.data(), pool);
  perf::expect_agrees("composed forward", c.y_dev.download(), want);
}

// The CPU backward without ReLU (dy is dz), from zero gradients: dx and the folded gradients.
void cpu_backward(LayerCase& c, std::vector<float>& dx) {
  ComposedLayer plain = c.layer();
  plain.relu = false;
  std::vector<float> dz = c.dy, y(c.y_dev.size(), 0.0f);
  dx.assign(c.dx_dev.size(), 0.0f);
  ThreadPool pool;
  composed_backward(plain, perf::kCriteoGrid, c.batch.routing, c.x.data(), y.data(), dz.data(), dx.data(),
                    c.params.grad, pool);
}

void run(benchmark::State& state, Pass pass) {
  perf::run_on_gpu(state, [pass](benchmark::State& s) {
    const auto layer = static_cast<std::size_t>(s.range(0));
    const auto rows = static_cast<std::size_t>(s.range(1));
    LayerCase c(layer, rows);
    const kernels::ComposedRouting& r = c.routing.routing();
    ComposedLayer plain = c.device.layer;  // backward passes: no ReLU, dy is dz
    plain.relu = false;
    const auto mode = pass == Pass::fold_atomic ? kernels::FoldMode::atomic : kernels::FoldMode::deterministic;

    const auto forward = [&] {
      kernels::composed_forward(c.device.layer, c.device.grid, r, false, c.x_dev.data(), c.y_dev.data(), nullptr);
    };
    const auto dx = [&] {
      const dim3 blocks(r.max_tiles, (plain.in + kernels::kGemmTileN - 1) / kernels::kGemmTileN);
      MMN_LAUNCH(kernels::composed_dx_kernel, blocks, dim3(kernels::kGemmThreads), 0, nullptr, plain, c.device.grid,
                 r.table, r.tile_count, static_cast<const float*>(c.dy_dev.data()), c.dx_dev.data());
    };
    const auto fold = [&] {
      kernels::composed_backward(plain, c.device.grid, r, c.x_dev.data(), c.y_dev.data(), c.dy_dev.data(), nullptr,
                                 c.device.grad, nullptr, mode);
    };
    const std::string key =
        std::to_string(static_cast<int>(pass)) + "/" + std::to_string(layer) + "/" + std::to_string(rows);

    perf::GpuWork work;
    const double weights = 4.0 * c.weight_floats(), params = weights + 4.0 * c.bias_floats();
    double seconds = 0.0;
    switch (pass) {
      case Pass::forward:
        forward();
        perf::check_cuda(cudaDeviceSynchronize(), "composed forward");
        perf::check_once(key, [&] { check_forward(c); });
        seconds = perf::time_iterations(s, forward);
        work = {c.gemm_flops() + c.compose_flops(), 4.0 * c.rows() * (c.layer().in + c.layer().out) + params};
        break;
      case Pass::dx:
        dx();
        perf::check_cuda(cudaDeviceSynchronize(), "composed dx");
        perf::check_once(key, [&] {
          std::vector<float> want;
          cpu_backward(c, want);
          perf::expect_agrees("composed dx", c.dx_dev.download(), want);
        });
        seconds = perf::time_iterations(s, dx);
        work = {c.gemm_flops() + c.compose_flops(), 4.0 * c.rows() * (c.layer().in + c.layer().out) + weights};
        break;
      default: {
        fold();
        perf::check_cuda(cudaDeviceSynchronize(), "composed fold");
        perf::check_once(key, [&] {
          std::vector<float> dx_cpu;
          cpu_backward(c, dx_cpu);
          perf::expect_gradients_agree(mode == kernels::FoldMode::atomic ? "atomic fold" : "deterministic fold",
                                       c.device, c.params);
        });
        seconds = perf::time_iterations(s, fold);
        const double fold_flops = 3.0 * c.params.groups() * c.layer().in * c.layer().out * c.batch.active();
        work = {c.gemm_flops() + fold_flops, 4.0 * c.rows() * (c.layer().in + c.layer().out) + weights + 2.0 * params};
      }
    }
    perf::report_gpu_work(s, work, seconds);
    s.counters["active_domains"] = c.batch.active();
  });
}

const bool registered = [] {
  const std::pair<const char*, Pass> passes[] = {{"ComposedForwardGpu", Pass::forward},
                                                 {"ComposedDxGpu", Pass::dx},
                                                 {"ComposedFoldGpu/deterministic", Pass::fold_deterministic},
                                                 {"ComposedFoldGpu/atomic", Pass::fold_atomic}};
  for (const auto& [name, pass] : passes) {
    const Pass p = pass;
    benchmark::RegisterBenchmark(name, [p](benchmark::State& s) { run(s, p); })
        ->ArgsProduct({{0, 1, 2}, {perf::kGpuBatches[0], perf::kGpuBatches[1]}})
        ->ArgNames({"layer", "rows"})
        ->Apply(perf::gpu_timed);
  }
  return true;
}();

}  // namespace
