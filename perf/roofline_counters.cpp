#include "roofline_counters.h"

#include "roofline.h"
#include "run_mode.h"

namespace mmn::perf {

double sgemm_roofline() { return sgemm_flops(size_for_run(2048, 384)); }

double memory_roofline() { return 2.0 * memcpy_bandwidth(size_for_run(std::size_t{128} << 20, std::size_t{8} << 20)); }

namespace {

double iterations(const benchmark::State& state) { return static_cast<double>(state.iterations()); }

}  // namespace

void report_flops(benchmark::State& state, double flops_per_iteration) {
  const double total = iterations(state) * flops_per_iteration;
  const double roofline = sgemm_roofline();
  state.counters["flops_per_iteration"] = flops_per_iteration;
  state.counters["GFLOP/s"] = benchmark::Counter(total / 1e9, benchmark::Counter::kIsRate);
  state.counters["roofline_GFLOP/s"] = roofline / 1e9;
  state.counters["fraction_of_roofline"] = benchmark::Counter(total / roofline, benchmark::Counter::kIsRate);
}

void report_bytes(benchmark::State& state, double bytes_per_iteration) {
  const double total = iterations(state) * bytes_per_iteration;
  const double roofline = memory_roofline();
  state.counters["bytes_per_iteration"] = bytes_per_iteration;
  state.counters["GB/s"] = benchmark::Counter(total / 1e9, benchmark::Counter::kIsRate);
  state.counters["roofline_GB/s"] = roofline / 1e9;
  state.counters["fraction_of_roofline"] = benchmark::Counter(total / roofline, benchmark::Counter::kIsRate);
}

}  // namespace mmn::perf
