#pragma once
// Registration shared by the GPU benchmarks: the batch sizes of the criteo-like configuration,
// and the options every one of them takes.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <set>
#include <string>

#include "run_mode.h"

namespace mmn::perf {

inline constexpr std::int64_t kGpuBatches[] = {4096, 65536};

// Manual time (the CUDA events'), microseconds, half a second of repeats.
inline void gpu_timed(benchmark::internal::Benchmark* b) {
  b->UseManualTime()->Unit(benchmark::kMicrosecond)->MinTime(min_time(0.5));
}

// Runs check() unless it already passed in this process for `key`: a configuration's result
// is checked against the CPU op once, not for every repetition (the inputs are seeded). A
// check that throws is run again next time.
template <typename Check>
void check_once(const std::string& key, Check&& check) {
  static std::set<std::string> passed;
  if (passed.count(key) != 0) return;
  check();
  passed.insert(key);
}

}  // namespace mmn::perf
