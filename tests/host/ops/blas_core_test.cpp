#include "mmn/ops/blas_core.h"

#include <gtest/gtest.h>

namespace mmn::blas {
namespace {

CpuSimd cpu(SimdLevel level, bool amd = false) { return CpuSimd{level, amd}; }

TEST(BlasCore, CoreNamesMapToTheirInstructionSetInAnyCase) {
  EXPECT_EQ(simd_level_of_core("Prescott"), SimdLevel::sse);
  EXPECT_EQ(simd_level_of_core("Nehalem"), SimdLevel::sse);
  EXPECT_EQ(simd_level_of_core("Sandybridge"), SimdLevel::avx);
  EXPECT_EQ(simd_level_of_core("Haswell"), SimdLevel::avx2);
  EXPECT_EQ(simd_level_of_core("ZEN"), SimdLevel::avx2);
  EXPECT_EQ(simd_level_of_core("SkylakeX"), SimdLevel::avx512);
  EXPECT_EQ(simd_level_of_core("cooperlake"), SimdLevel::avx512);
  EXPECT_EQ(simd_level_of_core("SapphireRapids"), SimdLevel::avx512);
  EXPECT_EQ(simd_level_of_core("a core from the future"), SimdLevel::sse);
}

TEST(BlasCore, ForcesTheWidestCoreTheCpuRuns) {
  EXPECT_EQ(core_to_force(nullptr, cpu(SimdLevel::avx512)), "SKYLAKEX");
  EXPECT_EQ(core_to_force(nullptr, cpu(SimdLevel::avx512, true)), "SKYLAKEX");
  EXPECT_EQ(core_to_force(nullptr, cpu(SimdLevel::avx2)), "HASWELL");
  EXPECT_EQ(core_to_force(nullptr, cpu(SimdLevel::avx2, true)), "ZEN");
  EXPECT_EQ(core_to_force(nullptr, cpu(SimdLevel::avx)), "SANDYBRIDGE");
  EXPECT_EQ(core_to_force(nullptr, cpu(SimdLevel::sse)), std::nullopt);
  EXPECT_EQ(core_to_force("", cpu(SimdLevel::avx512)), "SKYLAKEX");
}

TEST(BlasCore, LeavesAUsersCoreAlone) {
  EXPECT_EQ(core_to_force("PRESCOTT", cpu(SimdLevel::avx512)), std::nullopt);
  EXPECT_EQ(core_to_force("HASWELL", cpu(SimdLevel::avx2)), std::nullopt);
}

TEST(BlasCore, WarnsWhenTheRunningCoreIsNarrowerThanTheCpu) {
  // The case Debian's OpenBLAS 0.3.21 meets on Sapphire Rapids: SSE3 kernels on an AVX-512 CPU.
  const std::string warning = core_warning("Prescott", cpu(SimdLevel::avx512));
  EXPECT_NE(warning.find("Prescott"), std::string::npos) << warning;
  EXPECT_NE(warning.find("AVX-512"), std::string::npos) << warning;
  EXPECT_NE(warning.find("SKYLAKEX"), std::string::npos) << warning;
  EXPECT_NE(core_warning("Haswell", cpu(SimdLevel::avx512)), "");
  EXPECT_NE(core_warning("Sandybridge", cpu(SimdLevel::avx2, true)), "");
}

TEST(BlasCore, SaysNothingWhenTheCoreFitsTheCpu) {
  EXPECT_EQ(core_warning("SkylakeX", cpu(SimdLevel::avx512)), "");
  EXPECT_EQ(core_warning("Cooperlake", cpu(SimdLevel::avx512)), "");
  EXPECT_EQ(core_warning("Zen", cpu(SimdLevel::avx2, true)), "");
  EXPECT_EQ(core_warning("SkylakeX", cpu(SimdLevel::avx2)), "");
  EXPECT_EQ(core_warning("Prescott", cpu(SimdLevel::sse)), "");
}

}  // namespace
}  // namespace mmn::blas
