#pragma once
// Smoke mode (MMN_PERF_SMOKE=1, set by `scripts/bench.sh --smoke`): every benchmark
// runs a token amount of work so CI can check the whole chain (binaries, JSON,
// comparison) in seconds. Figures from a smoke run mean nothing.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

namespace mmn::perf {

inline bool smoke() {
  const char* v = std::getenv("MMN_PERF_SMOKE");
  return v != nullptr && *v != '\0' && std::strcmp(v, "0") != 0;
}

// The minimum time a benchmark runs for: `seconds`, a token time in smoke mode, or
// MMN_PERF_MIN_TIME seconds where that is set to a positive number (the GPU check's short runs).
inline double min_time(double seconds) {
  if (smoke()) return 0.01;
  if (const char* v = std::getenv("MMN_PERF_MIN_TIME"); v != nullptr && *v != '\0') {
    char* end = nullptr;
    const double chosen = std::strtod(v, &end);
    if (end != v && *end == '\0' && chosen > 0.0) return chosen;
  }
  return seconds;
}

// `full` normally, `small` in smoke mode.
template <typename T>
T size_for_run(T full, T small) {
  return smoke() ? small : full;
}

// A scratch folder of this process in the temporary directory: benchmarks run by
// several jobs at once (CI, other users of the machine) do not share it.
inline std::string scratch_dir(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "_" + std::to_string(getpid()))).string();
}

}  // namespace mmn::perf
