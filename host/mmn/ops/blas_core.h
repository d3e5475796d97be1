#pragma once
// Which OpenBLAS kernel set ("core") fits this CPU. OpenBLAS picks its core once,
// when the library is loaded, from a table of CPU models; a model newer than its
// table (Debian's 0.3.21 on Sapphire Rapids) falls back to SSE3 "Prescott" kernels
// at a quarter of the speed. mmn decides from the CPU's instruction sets instead and
// loads OpenBLAS with OPENBLAS_CORETYPE set (host/mmn/ops/blas.cpp).
#include <optional>
#include <string>
#include <string_view>

namespace mmn::blas {

// The widest vector instruction set a kernel set uses, or a CPU (with OS support) has.
enum class SimdLevel { sse = 0, avx = 1, avx2 = 2, avx512 = 3 };
const char* to_string(SimdLevel level);

struct CpuSimd {
  SimdLevel level = SimdLevel::sse;
  bool amd = false;
};
CpuSimd detect_cpu_simd();

// The level an OpenBLAS core name (as openblas_get_corename() spells it, any case)
// uses; unknown names count as SSE.
SimdLevel simd_level_of_core(std::string_view core);

// The OPENBLAS_CORETYPE value for this CPU: SKYLAKEX for AVX-512 (Intel and AMD Zen 4,
// as newer OpenBLAS releases detect them), HASWELL or ZEN for AVX2 with FMA,
// SANDYBRIDGE for AVX; none below that (OpenBLAS's own choice is then as good).
std::optional<std::string> core_for(const CpuSimd& cpu);

// What to set before OpenBLAS loads: nothing when the user set OPENBLAS_CORETYPE
// (user_coretype non-null and non-empty), else core_for(cpu).
std::optional<std::string> core_to_force(const char* user_coretype, const CpuSimd& cpu);

// A warning when the core OpenBLAS runs uses a narrower instruction set than the CPU
// has (a build without DYNAMIC_ARCH, or a user's OPENBLAS_CORETYPE); empty when not.
std::string core_warning(std::string_view running_core, const CpuSimd& cpu);

}  // namespace mmn::blas
