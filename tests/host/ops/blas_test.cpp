#include "mmn/ops/blas.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <vector>

#include "mmn/ops/blas_core.h"

namespace mmn::blas {
namespace {

TEST(Blas, LoadsKernelsThatFitTheCpu) {
  const LibraryInfo& info = library_info();
  // The library the build found, not another one that happens to be on the search path.
  EXPECT_TRUE(std::filesystem::equivalent(info.path, configured_library())) << info.path << " vs " << configured_library();
  EXPECT_NE(info.config.find("OpenBLAS"), std::string::npos) << info.config;
  const CpuSimd cpu = detect_cpu_simd();
  EXPECT_EQ(info.cpu_simd, to_string(cpu.level));
  const char* user_core = std::getenv("OPENBLAS_CORETYPE");
  if (info.core_chosen_by != "mmn") GTEST_SKIP() << "OPENBLAS_CORETYPE was set by the user: " << user_core;
  EXPECT_GE(static_cast<int>(simd_level_of_core(info.core)), static_cast<int>(cpu.level)) << info.core;
  EXPECT_EQ(info.warning, "");
}

// Row-major C = alpha op(A) op(B) + beta C against a plain triple loop, all four transposes.
TEST(Blas, SgemmMatchesALoopForEveryTranspose) {
  const int m = 37, n = 29, k = 53;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> a(m * k), b(k * n), c0(m * n);
  for (float& x : a) x = u(rng);
  for (float& x : b) x = u(rng);
  for (float& x : c0) x = u(rng);
  for (const bool ta : {false, true})
    for (const bool tb : {false, true}) {
      const int lda = ta ? m : k, ldb = tb ? k : n;
      std::vector<float> c = c0;
      sgemm(ta, tb, m, n, k, 0.5f, a.data(), lda, b.data(), ldb, 2.0f, c.data(), n);
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < n; ++j) {
          double sum = 0;
          for (int p = 0; p < k; ++p)
            sum += static_cast<double>(ta ? a[p * lda + i] : a[i * lda + p]) * (tb ? b[j * ldb + p] : b[p * ldb + j]);
          ASSERT_NEAR(c[i * n + j], 0.5 * sum + 2.0 * c0[i * n + j], 1e-4) << ta << tb << " at " << i << "," << j;
        }
    }
}

}  // namespace
}  // namespace mmn::blas
