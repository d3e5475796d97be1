// The MMN loss and its gradients from logits (ctcvr mode, dynamic weights) over a
// batch, as bytes read (two logits, click, conv, domain) and written (two gradients)
// against the memory roofline. Row counts: the criteo-like batch (in cache) and 2^20
// rows (from memory).
#include <benchmark/benchmark.h>

#include "mmn/ops/weighted_bce.h"
#include "op_fixtures.h"
#include "roofline_counters.h"
#include "run_mode.h"

namespace {

using namespace mmn;

void BM_WeightedBce(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::uint32_t n_domains = perf::kCriteoGrid.n_domains();
  const std::vector<float> ctr = perf::random_floats(n, 1, 2.0f), cvr = perf::random_floats(n, 2, 2.0f);
  const std::vector<std::uint32_t> domain = perf::zipf_domains(n, n_domains, 3);
  const perf::Labels labels = perf::fixed_labels(n);
  const std::vector<std::uint8_t>& click = labels.click;
  const std::vector<std::uint8_t>& conv = labels.conv;
  const LossCounts counts = count_loss_rows(click.data(), domain.data(), n, n_domains, CvrMode::ctcvr);
  LossOptions dynamic;
  dynamic.dynamic_weight = true;
  std::vector<float> d_ctr(n), d_cvr(n);
  for (auto _ : state)
    benchmark::DoNotOptimize(weighted_bce(ctr.data(), cvr.data(), click.data(), conv.data(), domain.data(), n, counts,
                                          dynamic, d_ctr.data(), d_cvr.data()));
  perf::report_bytes(state, static_cast<double>(n) * (4 + 4 + 1 + 1 + 4 + 4 + 4));
}
BENCHMARK(BM_WeightedBce)
    ->ArgName("rows")
    ->Arg(4096)
    ->Arg(1 << 20)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MinTime(perf::min_time(0.5));

}  // namespace
