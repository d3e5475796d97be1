#include "mmn/ops/blas_core.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace mmn::blas {

const char* to_string(SimdLevel level) {
  switch (level) {
    case SimdLevel::sse: return "SSE";
    case SimdLevel::avx: return "AVX";
    case SimdLevel::avx2: return "AVX2";
    case SimdLevel::avx512: return "AVX-512";
  }
  return "?";
}

CpuSimd detect_cpu_simd() {
  CpuSimd cpu;
#if defined(__x86_64__) || defined(__i386__)
  // GCC and Clang check OS support (XGETBV) for the AVX and AVX-512 register state.
  __builtin_cpu_init();
  cpu.amd = __builtin_cpu_is("amd");
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd"))
    cpu.level = SimdLevel::avx512;
  else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    cpu.level = SimdLevel::avx2;
  else if (__builtin_cpu_supports("avx"))
    cpu.level = SimdLevel::avx;
#endif
  return cpu;
}

SimdLevel simd_level_of_core(std::string_view core) {
  std::string lower(core);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  struct Entry {
    const char* name;
    SimdLevel level;
  };
  static constexpr std::array<Entry, 10> kCores = {{{"skylakex", SimdLevel::avx512},
                                                    {"cooperlake", SimdLevel::avx512},
                                                    {"sapphirerapids", SimdLevel::avx512},
                                                    {"haswell", SimdLevel::avx2},
                                                    {"zen", SimdLevel::avx2},
                                                    {"sandybridge", SimdLevel::avx},
                                                    {"bulldozer", SimdLevel::avx},
                                                    {"piledriver", SimdLevel::avx},
                                                    {"steamroller", SimdLevel::avx},
                                                    {"excavator", SimdLevel::avx}}};
  for (const Entry& entry : kCores)
    if (lower == entry.name) return entry.level;
  return SimdLevel::sse;
}

std::optional<std::string> core_for(const CpuSimd& cpu) {
  switch (cpu.level) {
    case SimdLevel::avx512: return std::string("SKYLAKEX");
    case SimdLevel::avx2: return std::string(cpu.amd ? "ZEN" : "HASWELL");
    case SimdLevel::avx: return std::string("SANDYBRIDGE");
    case SimdLevel::sse: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> core_to_force(const char* user_coretype, const CpuSimd& cpu) {
  if (user_coretype != nullptr && *user_coretype != '\0') return std::nullopt;
  return core_for(cpu);
}

std::string core_warning(std::string_view running_core, const CpuSimd& cpu) {
  const SimdLevel running = simd_level_of_core(running_core);
  if (static_cast<int>(running) >= static_cast<int>(cpu.level)) return {};
  return fmt::format(
      "OpenBLAS runs its {} kernels ({}) on a CPU with {}: dense layers run several times slower than they could; "
      "unset OPENBLAS_CORETYPE or set it to {}",
      running_core, to_string(running), to_string(cpu.level), core_for(cpu).value_or("a wider core"));
}

}  // namespace mmn::blas
