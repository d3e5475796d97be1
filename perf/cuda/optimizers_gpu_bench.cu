// Adam and Adagrad on the GPU (cuda/mmn/kernels/optimizers.cuh), the sizes of
// perf/ops/optimizers_bench.cpp: fused over 4M dense parameters (about the criteo-like model's
// dense size), and sparse over 20000 touched rows of a 10^6 x 16 embedding table (the unique
// ids, gradient rows and count on the device, as embedding_backward leaves them). Each is
// checked against the CPU op (host/mmn/ops/optimizers.h) for its first step first.
// Counted bytes: the least traffic: Adam reads parameter, gradient, m, v and writes parameter,
// m, v (7 floats an element), Adagrad reads parameter, gradient, accumulator and writes
// parameter and accumulator (5); sparse rows also read their id. Counted FLOPs per element:
// Adam 13 (m: 3, v: 4, the step: sqrt, multiply, add, divide, multiply, subtract), Adagrad 7
// (g g, add, sqrt, add, multiply, divide, subtract). Memory-bound: the bandwidth roofline applies.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "agreement.h"
#include "gpu_check.h"
#include "gpu_registration.h"
#include "gpu_roofline.h"
#include "gpu_timer.h"
#include "mmn/device/device_buffer.h"
#include "mmn/kernels/optimizers.cuh"
#include "mmn/ops/embedding.h"
#include "mmn/ops/optimizers.h"
#include "ops/op_fixtures.h"

namespace {

using namespace mmn;

constexpr std::uint32_t kDim = 16;
constexpr double kAdamFlops = 13.0, kAdagradFlops = 7.0;
const std::size_t kDense = perf::size_for_run<std::size_t>(std::size_t{4} << 20, std::size_t{1} << 16);
const std::size_t kTableRows = perf::size_for_run<std::size_t>(1'000'000, 50'000);
constexpr std::size_t kTouched = 20'000;

enum class Rule { adam, adagrad };

kernels::AdamHyper adam_hyper(const AdamConfig& c) { return {c.lr, c.beta1, c.beta2, c.eps}; }
kernels::AdagradHyper adagrad_hyper(const AdagradConfig& c) { return {c.lr, c.eps}; }

// The parameters' change in one step, GPU against CPU: next to parameters of order 1 a step of
// order lr disappears in a tolerance relative to the parameters. 1e-2 of the largest change
// still tells step 1 from step 2 (a quarter apart) and is far above fp32 rounding of p - step.
void expect_steps_agree(const char* what, const std::vector<float>& before, const std::vector<float>& gpu_after,
                        const std::vector<float>& cpu_after) {
  if (gpu_after.size() != before.size())
    fail("{}: the GPU gave {} parameters, not {}", what, gpu_after.size(), before.size());
  std::vector<float> gpu_step(before.size()), cpu_step(before.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    gpu_step[i] = gpu_after[i] - before[i];
    cpu_step[i] = cpu_after[i] - before[i];
  }
  perf::expect_agrees(what, gpu_step, cpu_step, 1e-2);
}

// State arrays of one rule: Adam m and v from zero, Adagrad's accumulator from its initial value.
struct OptimizerState {
  std::vector<float> params, first, second;
  OptimizerState(Rule rule, std::size_t n)
      : params(perf::random_floats(n, 1)),
        first(n, rule == Rule::adam ? 0.0f : AdagradConfig{}.initial_accumulator),
        second(rule == Rule::adam ? n : 0, 0.0f) {}
};

void dense_gpu(benchmark::State& state, Rule rule) {
  perf::run_on_gpu(state, [rule](benchmark::State& s) {
    OptimizerState host(rule, kDense);
    const std::vector<float> g = perf::random_floats(kDense, 2, 0.01f);
    DeviceBuffer<float> p(host.params), first(host.first), second(host.second);
    const DeviceBuffer<float> g_dev(g);
    std::uint64_t step = 0;
    const auto work = [&] {
      if (rule == Rule::adam)
        kernels::adam_update(p.data(), g_dev.data(), first.data(), second.data(), kDense, adam_hyper(AdamConfig{}),
                             ++step, nullptr);
      else
        kernels::adagrad_update(p.data(), g_dev.data(), first.data(), kDense, adagrad_hyper(AdagradConfig{}), nullptr);
    };
    work();
    perf::check_cuda(cudaDeviceSynchronize(), "dense optimizer update");
    perf::check_once(rule == Rule::adam ? "adam dense" : "adagrad dense", [&] {
      const std::vector<float> before = host.params;
      if (rule == Rule::adam)
        adam_update(host.params.data(), g.data(), host.first.data(), host.second.data(), kDense, AdamConfig{}, 1);
      else
        adagrad_update(host.params.data(), g.data(), host.first.data(), kDense, AdagradConfig{});
      expect_steps_agree(rule == Rule::adam ? "adam dense step" : "adagrad dense step", before, p.download(),
                         host.params);
      perf::expect_agrees(rule == Rule::adam ? "adam m" : "adagrad accumulator", first.download(), host.first);
      if (rule == Rule::adam) perf::expect_agrees("adam v", second.download(), host.second);
    });
    const double seconds = perf::time_iterations(s, work);
    const double n = static_cast<double>(kDense);
    perf::report_gpu_work(s,
                          rule == Rule::adam ? perf::GpuWork{kAdamFlops * n, 7.0 * 4.0 * n}
                                             : perf::GpuWork{kAdagradFlops * n, 5.0 * 4.0 * n},
                          seconds);
  });
}

SparseRows touched_rows() { return perf::evenly_touched_rows(kTableRows, kTouched, kDim); }

void sparse_gpu(benchmark::State& state, Rule rule) {
  perf::run_on_gpu(state, [rule](benchmark::State& s) {
    OptimizerState host(rule, kTableRows * kDim);
    const SparseRows rows = touched_rows();
    DeviceBuffer<float> table(host.params), first(host.first), second(host.second);
    const DeviceBuffer<std::uint32_t> ids(rows.ids), count(std::vector<std::uint32_t>{kTouched});
    const DeviceBuffer<float> grads(rows.grads);
    std::uint64_t step = 0;
    const auto work = [&] {
      if (rule == Rule::adam)
        kernels::adam_update_rows(table.data(), first.data(), second.data(), kDim, ids.data(), grads.data(),
                                  count.data(), kTouched, adam_hyper(AdamConfig{}), ++step, nullptr);
      else
        kernels::adagrad_update_rows(table.data(), first.data(), kDim, ids.data(), grads.data(), count.data(), kTouched,
                                     adagrad_hyper(AdagradConfig{}), nullptr);
    };
    work();
    perf::check_cuda(cudaDeviceSynchronize(), "sparse optimizer update");
    perf::check_once(rule == Rule::adam ? "adam rows" : "adagrad rows", [&] {
      const std::vector<float> before = host.params;
      if (rule == Rule::adam)
        adam_update_rows(host.params.data(), host.first.data(), host.second.data(), kDim, rows, AdamConfig{}, 1);
      else
        adagrad_update_rows(host.params.data(), host.first.data(), kDim, rows, AdagradConfig{});
      expect_steps_agree(rule == Rule::adam ? "adam rows step" : "adagrad rows step", before, table.download(),
                         host.params);
      perf::expect_agrees(rule == Rule::adam ? "adam rows m" : "adagrad rows accumulator", first.download(),
                          host.first);
      if (rule == Rule::adam) perf::expect_agrees("adam rows v", second.download(), host.second);
    });
    const double seconds = perf::time_iterations(s, work);
    const double elements = static_cast<double>(kTouched) * kDim, ids_bytes = 4.0 * kTouched;
    perf::report_gpu_work(s,
                          rule == Rule::adam
                              ? perf::GpuWork{kAdamFlops * elements, ids_bytes + 7.0 * 4.0 * elements}
                              : perf::GpuWork{kAdagradFlops * elements, ids_bytes + 5.0 * 4.0 * elements},
                          seconds);
  });
}

void adam_dense_gpu(benchmark::State& state) { dense_gpu(state, Rule::adam); }
void adagrad_dense_gpu(benchmark::State& state) { dense_gpu(state, Rule::adagrad); }
void adam_sparse_rows_gpu(benchmark::State& state) { sparse_gpu(state, Rule::adam); }
void adagrad_sparse_rows_gpu(benchmark::State& state) { sparse_gpu(state, Rule::adagrad); }
BENCHMARK(adam_dense_gpu)->Name("AdamDenseGpu")->Apply(perf::gpu_timed);
BENCHMARK(adagrad_dense_gpu)->Name("AdagradDenseGpu")->Apply(perf::gpu_timed);
BENCHMARK(adam_sparse_rows_gpu)->Name("AdamSparseRowsGpu")->Apply(perf::gpu_timed);
BENCHMARK(adagrad_sparse_rows_gpu)->Name("AdagradSparseRowsGpu")->Apply(perf::gpu_timed);

}  // namespace
