// sgemm against a naive triple loop in doubles: every transpose combination, padded row
// strides, alpha and beta, beta = 0 over a C full of NaN, k = 0, and the shape checks.
// Tolerance: fp32 products summed over k <= 70 terms of magnitude <= 1 agree with the
// double loop to 1e-5 absolute.
#include "mmn/wrappers/sgemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "mmn/device/device_buffer.h"

namespace mmn::wrappers {
namespace {

struct Shape {
  Op op_a, op_b;
  int m, n, k;
  int pad;  // extra columns in every row stride
  float alpha, beta;
};

std::vector<float> random_matrix(int rows, int stride, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(static_cast<std::size_t>(rows) * stride);
  for (float& x : v) x = u(rng);
  return v;
}

// C = alpha op(A) op(B) + beta C by definition, in doubles; C's padding left as it was.
std::vector<float> naive_gemm(const Shape& s, const std::vector<float>& a, int lda, const std::vector<float>& b, int ldb,
                              std::vector<float> c, int ldc) {
  for (int i = 0; i < s.m; ++i)
    for (int j = 0; j < s.n; ++j) {
      double acc = 0.0;
      for (int p = 0; p < s.k; ++p) {
        const float av = s.op_a == Op::none ? a[i * lda + p] : a[p * lda + i];
        const float bv = s.op_b == Op::none ? b[p * ldb + j] : b[j * ldb + p];
        acc += static_cast<double>(av) * bv;
      }
      float& out = c[i * ldc + j];
      out = static_cast<float>(s.alpha * acc + (s.beta == 0.0f ? 0.0 : s.beta * static_cast<double>(out)));
    }
  return c;
}

void check(const Shape& s, std::uint32_t seed) {
  std::mt19937 rng(seed);
  const int a_rows = s.op_a == Op::none ? s.m : s.k, a_cols = s.op_a == Op::none ? s.k : s.m;
  const int b_rows = s.op_b == Op::none ? s.k : s.n, b_cols = s.op_b == Op::none ? s.n : s.k;
  const int lda = a_cols + s.pad, ldb = b_cols + s.pad, ldc = s.n + s.pad;
  const auto a = random_matrix(a_rows, lda, rng), b = random_matrix(b_rows, ldb, rng);
  auto c = random_matrix(s.m, ldc, rng);
  if (s.beta == 0.0f)
    for (float& x : c) x = std::numeric_limits<float>::quiet_NaN();  // must not be read
  const auto want = naive_gemm(s, a, lda, b, ldb, c, ldc);

  DeviceBuffer<float> da(a), db(b), dc(c);
  BlasHandle blas;
  sgemm(blas, s.op_a, s.op_b, s.m, s.n, s.k, s.alpha, da.data(), lda, db.data(), ldb, s.beta, dc.data(), ldc);
  const auto got = dc.download();
  for (int i = 0; i < s.m; ++i)
    for (int j = 0; j < ldc; ++j) {
      const std::size_t at = static_cast<std::size_t>(i) * ldc + j;
      if (j >= s.n) {  // padding: untouched (NaN stays NaN)
        EXPECT_TRUE(std::isnan(got[at]) ? std::isnan(c[at]) : got[at] == c[at]) << "padding at " << i << ", " << j;
        continue;
      }
      ASSERT_NEAR(got[at], want[at], 1e-5) << "C[" << i << "][" << j << "] of m=" << s.m << " n=" << s.n
                                           << " k=" << s.k;
    }
}

TEST(Sgemm, EqualsTheNaiveLoopForEveryTransposeCombination) {
  std::uint32_t seed = 1;
  for (Op op_a : {Op::none, Op::transpose})
    for (Op op_b : {Op::none, Op::transpose}) {
      check({op_a, op_b, 37, 29, 70, 0, 1.0f, 0.0f}, seed++);
      check({op_a, op_b, 5, 64, 17, 3, 0.5f, 2.0f}, seed++);
      check({op_a, op_b, 1, 1, 1, 2, -1.5f, 0.25f}, seed++);
    }
}

TEST(Sgemm, WithKZeroScalesC) {
  check({Op::none, Op::none, 6, 7, 0, 1, 1.0f, 3.0f}, 40);
  check({Op::transpose, Op::none, 6, 7, 0, 0, 1.0f, 0.0f}, 41);  // C = 0, NaN overwritten
}

TEST(Sgemm, RefusesNegativeSizesAndShortRowStrides) {
  DeviceBuffer<float> a(100), b(100), c(100);
  BlasHandle blas;
  const auto error = [&](Op op_a, int m, int n, int k, int lda, int ldb, int ldc) -> std::string {
    try {
      sgemm(blas, op_a, Op::none, m, n, k, 1.0f, a.data(), lda, b.data(), ldb, 0.0f, c.data(), ldc);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error(Op::none, -1, 2, 2, 2, 2, 2), "sgemm: negative size (m = -1, n = 2, k = 2)");
  EXPECT_EQ(error(Op::none, 4, 5, 6, 5, 5, 5), "sgemm: lda = 5 is less than A's 6 columns");
  EXPECT_EQ(error(Op::transpose, 4, 5, 6, 3, 5, 5), "sgemm: lda = 3 is less than A's 4 columns");
  EXPECT_EQ(error(Op::none, 4, 5, 6, 6, 4, 5), "sgemm: ldb = 4 is less than B's 5 columns");
  EXPECT_EQ(error(Op::none, 4, 5, 6, 6, 5, 4), "sgemm: ldc = 4 is less than C's 5 columns");
}

}  // namespace
}  // namespace mmn::wrappers
