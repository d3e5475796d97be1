// AUC on the GPU (cuda/mmn/kernels/auc.cuh: scores as sort keys, a stable radix sort, tie
// groups, pairs counted in integers) over a criteo-like batch (65536 rows) and 2^20 rows (the
// size of perf/metrics/auc_bench.cpp), checked against the CPU metric (host/mmn/metrics/auc.h)
// first: every count is an exact integer, so the two must agree to the last bit. Counted bytes:
// the least traffic, score and label read (5 bytes a row); the sort makes it far from
// memory-bound and the fraction says how far. No floating-point work to count.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "agreement.h"
#include "gpu_check.h"
#include "gpu_registration.h"
#include "gpu_roofline.h"
#include "gpu_timer.h"
#include "mmn/device/device_buffer.h"
#include "mmn/kernels/auc.cuh"
#include "mmn/metrics/auc.h"
#include "ops/op_fixtures.h"

namespace {

void auc_gpu(benchmark::State& state) {
  mmn::perf::run_on_gpu(state, [](benchmark::State& s) {
    const auto n = static_cast<std::uint32_t>(s.range(0));
    const std::vector<float> scores = mmn::perf::random_floats(n, 1);
    std::vector<std::uint8_t> labels(n);
    for (std::uint32_t i = 0; i < n; ++i) labels[i] = scores[i] + 0.3f * static_cast<float>(i % 3) > 0.5f;
    const mmn::DeviceBuffer<float> scores_dev(scores);
    const mmn::DeviceBuffer<std::uint8_t> labels_dev(labels);
    mmn::DeviceBuffer<double> result(1);
    mmn::kernels::AucWorkspace workspace(n);
    const auto work = [&] {
      mmn::kernels::auc(scores_dev.data(), labels_dev.data(), n, workspace, result.data(), nullptr);
    };
    work();
    mmn::perf::check_cuda(cudaDeviceSynchronize(), "auc");
    mmn::perf::check_once("auc/" + std::to_string(n), [&] {
      mmn::perf::expect_agrees("auc", result.download()[0], mmn::auc(scores.data(), labels.data(), n), 0.0);
    });
    const double seconds = mmn::perf::time_iterations(s, work);
    mmn::perf::report_gpu_work(s, {0.0, 5.0 * n}, seconds);
    if (seconds > 0.0) s.counters["rows/s"] = static_cast<double>(n) * static_cast<double>(s.iterations()) / seconds;
  });
}
BENCHMARK(auc_gpu)->Name("AucGpu")->ArgName("rows")->Arg(65536)->Arg(1 << 20)->Apply(mmn::perf::gpu_timed);

}  // namespace
