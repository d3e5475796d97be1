// Adam and Adagrad, fused over 4M dense parameters (about the criteo-like model's
// dense size) and sparse over 20000 touched rows of a 10^6 x 16 embedding table, as
// bytes read + written against the memory roofline (Adam: parameter, gradient, m, v
// read, parameter, m, v written; Adagrad: parameter, gradient, accumulator read,
// parameter and accumulator written).
#include <benchmark/benchmark.h>

#include "mmn/ops/optimizers.h"
#include "mmn/util/thread_pool.h"
#include "op_fixtures.h"
#include "roofline_counters.h"
#include "run_mode.h"

namespace {

using namespace mmn;

constexpr std::uint32_t kDim = 16;
const std::size_t kDense = perf::size_for_run<std::size_t>(std::size_t{4} << 20, std::size_t{1} << 16);
const std::size_t kTableRows = perf::size_for_run<std::size_t>(1'000'000, 50'000);
constexpr std::size_t kTouched = 20'000;

SparseRows touched_rows() { return perf::evenly_touched_rows(kTableRows, kTouched, kDim); }

// Dense Adam by `update` (adam_update, or its form that zeroes the gradients), `arrays` of
// kDense floats read or written per call.
template <class Update>
void dense_adam(benchmark::State& state, const Update& update, double arrays) {
  std::vector<float> p = perf::random_floats(kDense, 1), g = perf::random_floats(kDense, 2, 0.01f);
  std::vector<float> m(kDense, 0.0f), v(kDense, 0.0f);
  ThreadPool pool;
  std::uint64_t step = 0;
  for (auto _ : state) {
    update(p.data(), g.data(), m.data(), v.data(), kDense, AdamConfig{}, ++step, &pool);
    benchmark::DoNotOptimize(p.data());
  }
  perf::report_bytes(state, arrays * 4.0 * static_cast<double>(kDense));
}

void BM_AdamDense(benchmark::State& state) { dense_adam(state, adam_update, 7.0); }

// As the trainer runs it: each gradient is also written back as zero, one more array written.
// (From the second iteration on the gradients are zero: the same traffic and arithmetic.)
void BM_AdamDenseZeroingGrads(benchmark::State& state) { dense_adam(state, adam_update_zeroing_grads, 8.0); }

void BM_AdagradDense(benchmark::State& state) {
  std::vector<float> p = perf::random_floats(kDense, 1), g = perf::random_floats(kDense, 2, 0.01f);
  std::vector<float> a(kDense, 0.1f);
  ThreadPool pool;
  for (auto _ : state) {
    adagrad_update(p.data(), g.data(), a.data(), kDense, AdagradConfig{}, &pool);
    benchmark::DoNotOptimize(p.data());
  }
  perf::report_bytes(state, 5.0 * 4.0 * static_cast<double>(kDense));
}

void BM_AdamSparseRows(benchmark::State& state) {
  std::vector<float> table = perf::random_floats(kTableRows * kDim, 1);
  std::vector<float> m(table.size(), 0.0f), v(table.size(), 0.0f);
  const SparseRows rows = touched_rows();
  std::uint64_t step = 0;
  for (auto _ : state) {
    adam_update_rows(table.data(), m.data(), v.data(), kDim, rows, AdamConfig{}, ++step);
    benchmark::DoNotOptimize(table.data());
  }
  perf::report_bytes(state, static_cast<double>(kTouched) * (4.0 + 7.0 * 4.0 * kDim));
}

void BM_AdagradSparseRows(benchmark::State& state) {
  std::vector<float> table = perf::random_floats(kTableRows * kDim, 1);
  std::vector<float> a(table.size(), 0.1f);
  const SparseRows rows = touched_rows();
  for (auto _ : state) {
    adagrad_update_rows(table.data(), a.data(), kDim, rows, AdagradConfig{});
    benchmark::DoNotOptimize(table.data());
  }
  perf::report_bytes(state, static_cast<double>(kTouched) * (4.0 + 5.0 * 4.0 * kDim));
}

BENCHMARK(BM_AdamDense)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(perf::min_time(0.5));
BENCHMARK(BM_AdamDenseZeroingGrads)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(perf::min_time(0.5));
BENCHMARK(BM_AdagradDense)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(perf::min_time(0.5));
BENCHMARK(BM_AdamSparseRows)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(perf::min_time(0.5));
BENCHMARK(BM_AdagradSparseRows)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(perf::min_time(0.5));

}  // namespace
