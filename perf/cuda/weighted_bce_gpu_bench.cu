// The MMN loss on the GPU (cuda/mmn/kernels/weighted_bce.cuh): ctcvr mode, dynamic weights,
// the per-domain histogram counted on the device, then per-row gradients and the loss sums with
// the scales the host makes of the counts (timed: histogram and loss), for
// criteo-like batches of 4096 and 65536 rows over 17 x 21 domains with Zipf traffic. Checked
// against the CPU op (host/mmn/ops/weighted_bce.h: loss values and both gradients) first.
// Counted bytes: the least traffic: two logits, click, conv and domain read, two gradients
// written (22 bytes a row, as perf/ops/weighted_bce_bench.cpp). FLOPs are not counted (a
// handful of exp/log per row): the bandwidth roofline is the one that applies.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "agreement.h"
#include "gpu_check.h"
#include "gpu_registration.h"
#include "gpu_roofline.h"
#include "gpu_timer.h"
#include "mmn/device/device_buffer.h"
#include "mmn/kernels/weighted_bce.cuh"
#include "mmn/ops/weighted_bce.h"
#include "ops/op_fixtures.h"

namespace {

using namespace mmn;

void weighted_bce_gpu(benchmark::State& state) {
  perf::run_on_gpu(state, [](benchmark::State& s) {
    const auto n = static_cast<std::size_t>(s.range(0));
    const std::uint32_t n_domains = perf::kCriteoGrid.n_domains();
    const std::vector<float> ctr = perf::random_floats(n, 1, 2.0f), cvr = perf::random_floats(n, 2, 2.0f);
    const std::vector<std::uint32_t> domain = perf::zipf_domains(n, n_domains, 3);
    const perf::Labels labels = perf::fixed_labels(n);
    const std::vector<std::uint8_t>& click = labels.click;
    const std::vector<std::uint8_t>& conv = labels.conv;
    const DeviceBuffer<float> ctr_dev(ctr), cvr_dev(cvr);
    const DeviceBuffer<std::uint8_t> click_dev(click), conv_dev(conv);
    const DeviceBuffer<std::uint32_t> domain_dev(domain);
    DeviceBuffer<unsigned long long> counts(n_domains + 1);
    const LossCounts cpu_counts = count_loss_rows(click.data(), domain.data(), n, n_domains, CvrMode::ctcvr);
    LossOptions dynamic;
    dynamic.dynamic_weight = true;
    const LossScales scales = loss_scales(cpu_counts, dynamic);
    const DeviceBuffer<float> cvr_scale(std::vector<float>(scales.cvr_domain.begin(), scales.cvr_domain.end()));
    DeviceBuffer<float> d_ctr(n), d_cvr(n), block_sums(2 * kernels::bce_blocks(static_cast<std::uint32_t>(n))), loss(3);
    kernels::WeightedBceArgs a;
    a.ctr_logit = ctr_dev.data(), a.cvr_logit = cvr_dev.data(), a.click = click_dev.data(), a.conv = conv_dev.data();
    a.domain = domain_dev.data(), a.rows = static_cast<std::uint32_t>(n), a.cvr_scale = cvr_scale.data();
    a.params.ctr_scale = static_cast<float>(scales.ctr);
    a.d_ctr = d_ctr.data(), a.d_cvr = d_cvr.data(), a.block_sums = block_sums.data();
    a.loss = loss.data();
    const auto work = [&] {
      kernels::count_loss_rows(click_dev.data(), domain_dev.data(), a.rows, n_domains, false, counts.data(), nullptr);
      kernels::weighted_bce(a, nullptr);
    };
    work();
    perf::check_cuda(cudaDeviceSynchronize(), "weighted_bce");
    perf::check_once("bce/" + std::to_string(n), [&] {
      std::vector<float> want_ctr(n), want_cvr(n);
      const LossValue want = weighted_bce(ctr.data(), cvr.data(), click.data(), conv.data(), domain.data(), n, scales,
                                          want_ctr.data(), want_cvr.data());
      const std::vector<unsigned long long> got_counts = counts.download();
      for (std::uint32_t d = 0; d < n_domains; ++d)
        if (got_counts[d] != cpu_counts.cvr_domain[d])
          fail("domain counts: the GPU counts {} rows in domain {}, the CPU {}", got_counts[d], d,
               cpu_counts.cvr_domain[d]);
      const std::vector<float> got = loss.download();
      perf::expect_agrees("loss total", got[0], want.total);
      perf::expect_agrees("loss ctr", got[1], want.ctr);
      perf::expect_agrees("loss cvr", got[2], want.cvr);
      perf::expect_agrees("d ctr logit", d_ctr.download(), want_ctr);
      perf::expect_agrees("d cvr logit", d_cvr.download(), want_cvr);
    });
    const double seconds = perf::time_iterations(s, work);
    perf::report_gpu_work(s, {0.0, static_cast<double>(n) * (4 + 4 + 1 + 1 + 4 + 4 + 4)}, seconds);
  });
}
BENCHMARK(weighted_bce_gpu)
    ->Name("WeightedBceGpu")
    ->ArgName("rows")
    ->Arg(perf::kGpuBatches[0])
    ->Arg(perf::kGpuBatches[1])
    ->Apply(perf::gpu_timed);

}  // namespace
