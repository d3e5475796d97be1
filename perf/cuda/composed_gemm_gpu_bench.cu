// The grouped composed tower layer on the GPU (cuda/mmn/kernels/composed_gemm.cuh) for each
// layer of the criteo-like CVR tower (272->256, 256->128, 128->1; 17 x 21 domains, Zipf
// traffic) at batches of 4096 and 65536 rows, routed on the device:
//   ComposedForwardGpu:  y = act(x W_d + b_d), W_d = W ⊙ Wt[t] ⊙ Ws[s] composed while loading,
//                        rows already routed (as the cuBLAS variants in grouped_gemm_bench.cu);
//   ComposedDxGpu:       dx = dz W_d^T (composed_dx_kernel alone);
//   ComposedFoldGpu/deterministic, /split, /atomic: G_d = x_d^T dz_d folded into dW, dWt, dWs and
//                        the biases (composed_backward without dx and without ReLU: the fold alone);
//                        /split gives the deterministic fold its scratch, so it splits over row
//                        ranges (fold_split.cuh: zeroing, the parts' fold and their sum, timed).
// The same names followed by /tf32 or /bf16 run the tensor-core kernels of composed_gemm_tc.cuh
// (operands rounded in shared memory, fp32 accumulation; composed_dx_tc_kernel for the dx pass;
// their fold is the deterministic one), against the tf32 or bf16 cuBLAS GEMM roofline.
// Each configuration is checked against the CPU op (host/mmn/ops/composed_layer.h) before it is
// timed: the fp32 kernels within 1e-4 of the largest magnitude, the tensor-core ones within
// perf::operand_tolerance (agreement.h). Counted FLOPs as perf/ops/composed_layer_bench.cpp
// counts them: GEMMs 2 per multiply-add of the useful work, composing (groups - 1) per weight
// and active domain, the fold 3 per group, weight and active domain (the kernels compose again
// for each row tile: not counted). Counted bytes: the least traffic: inputs read once, outputs
// written once, every parameter set read once, gradient sets read and written once. Both are
// the same at every precision: the tensor-core kernels read fp32 and round on the chip.
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
#include "mmn/kernels/composed_gemm_tc.cuh"
#include "mmn/kernels/device_routing.h"
#include "mmn/util/thread_pool.h"
#include "ops/routed_batch.h"

namespace {

using namespace mmn;

enum class Pass { forward, dx, fold_deterministic, fold_atomic, fold_split };

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
  // The device layer for the backward passes: no ReLU, dy is dz.
  ComposedLayer plain_device_layer() const {
    ComposedLayer plain = device.layer;
    plain.relu = false;
    return plain;
  }
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

void check_forward(LayerCase& c, Precision p) {
  ThreadPool pool;
  std::vector<float> want(c.y_dev.size());
  composed_forward(c.layer(), perf::kCriteoGrid, c.batch.routing, c.x.data(), want.data(), pool);
  perf::expect_agrees("composed forward", c.y_dev.download(), want, perf::operand_tolerance(p));
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

double forward_pass(benchmark::State& s, LayerCase& c, Precision p, const std::string& key) {
  const auto forward = [&] {
    kernels::composed_forward(c.device.layer, c.device.grid, c.routing.routing(), false, c.x_dev.data(),
                              c.y_dev.data(), nullptr, p);
  };
  forward();
  perf::check_cuda(cudaDeviceSynchronize(), "composed forward");
  perf::check_once(key, [&] { check_forward(c, p); });
  return perf::time_iterations(s, forward);
}

// dx = dz W_d^T alone, as composed_backward launches it.
void launch_dx(LayerCase& c, Precision p) {
  kernels::composed_input_gradient(c.plain_device_layer(), c.device.grid, c.routing.routing(), c.dy_dev.data(),
                                   c.dx_dev.data(), nullptr, p);
}

double dx_pass(benchmark::State& s, LayerCase& c, Precision p, const std::string& key) {
  launch_dx(c, p);
  perf::check_cuda(cudaDeviceSynchronize(), "composed dx");
  perf::check_once(key, [&] {
    std::vector<float> want;
    cpu_backward(c, want);
    perf::expect_agrees("composed dx", c.dx_dev.download(), want, perf::operand_tolerance(p));
  });
  return perf::time_iterations(s, [&] { launch_dx(c, p); });
}

double fold_pass(benchmark::State& s, LayerCase& c, kernels::FoldMode mode, bool split, Precision p,
                 const std::string& key) {
  const ComposedLayer plain = c.plain_device_layer();
  DeviceBuffer<float> scratch(
      split ? kernels::fold_scratch_floats(plain, c.device.grid, static_cast<std::uint32_t>(c.rows()), kernels::kFoldTile)
            : 0);
  const auto fold = [&] {
    kernels::composed_backward(plain, c.device.grid, c.routing.routing(), c.x_dev.data(), c.y_dev.data(),
                               c.dy_dev.data(), nullptr, c.device.grad, nullptr, mode, p,
                               scratch.size() > 0 ? scratch.data() : nullptr);
  };
  fold();
  perf::check_cuda(cudaDeviceSynchronize(), "composed fold");
  perf::check_once(key, [&] {
    std::vector<float> dx_cpu;
    cpu_backward(c, dx_cpu);
    const std::string what =
        std::string(precision_name(p)) +
        (mode == kernels::FoldMode::atomic ? " atomic fold" : split ? " split fold" : " deterministic fold");
    perf::expect_gradients_agree(what.c_str(), c.device, c.params, perf::operand_tolerance(p));
  });
  return perf::time_iterations(s, fold);
}

perf::GpuWork work_of(Pass pass, const LayerCase& c) {
  const double weights = 4.0 * c.weight_floats(), params = weights + 4.0 * c.bias_floats();
  const double rows = 4.0 * c.rows() * (c.layer().in + c.layer().out);
  switch (pass) {
    case Pass::forward:
      return {c.gemm_flops() + c.compose_flops(), rows + params};
    case Pass::dx:
      return {c.gemm_flops() + c.compose_flops(), rows + weights};
    default: {
      const double fold_flops = 3.0 * c.params.groups() * c.layer().in * c.layer().out * c.batch.active();
      return {c.gemm_flops() + fold_flops, rows + weights + 2.0 * params};
    }
  }
}

void run(benchmark::State& state, Pass pass, Precision precision) {
  perf::run_on_gpu(state, [pass, precision](benchmark::State& s) {
    const auto layer = static_cast<std::size_t>(s.range(0));
    const auto rows = static_cast<std::size_t>(s.range(1));
    LayerCase c(layer, rows);
    const std::string key = std::to_string(static_cast<int>(pass)) + "/" + precision_name(precision) + "/" +
                            std::to_string(layer) + "/" + std::to_string(rows);
    double seconds = 0.0;
    switch (pass) {
      case Pass::forward:
        seconds = forward_pass(s, c, precision, key);
        break;
      case Pass::dx:
        seconds = dx_pass(s, c, precision, key);
        break;
      default: {
        const auto mode = pass == Pass::fold_atomic ? kernels::FoldMode::atomic : kernels::FoldMode::deterministic;
        seconds = fold_pass(s, c, mode, pass == Pass::fold_split, precision, key);
      }
    }
    perf::report_gpu_work(s, work_of(pass, c), seconds, precision);
    s.counters["active_domains"] = c.batch.active();
  });
}

// Each pass at fp32 under its own name, then /tf32 and /bf16 (the tensor-core fold is the
// deterministic one only).
const bool registered = [] {
  const std::pair<const char*, Pass> passes[] = {{"ComposedForwardGpu", Pass::forward},
                                                 {"ComposedDxGpu", Pass::dx},
                                                 {"ComposedFoldGpu/deterministic", Pass::fold_deterministic},
                                                 {"ComposedFoldGpu/split", Pass::fold_split},
                                                 {"ComposedFoldGpu/atomic", Pass::fold_atomic}};
  for (const auto& [name, pass] : passes)
    for (const Precision precision : {Precision::fp32, Precision::tf32, Precision::bf16}) {
      if (precision != Precision::fp32 && pass == Pass::fold_atomic) continue;
      const std::string full =
          precision == Precision::fp32 ? name : std::string(name) + "/" + precision_name(precision);
      const Pass p = pass;
      benchmark::RegisterBenchmark(full.c_str(), [p, precision](benchmark::State& s) { run(s, p, precision); })
          ->ArgsProduct({{0, 1, 2}, {perf::kGpuBatches[0], perf::kGpuBatches[1]}})
          ->ArgNames({"layer", "rows"})
          ->Apply(perf::gpu_timed);
    }
  return true;
}();

}  // namespace
