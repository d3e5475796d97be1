#pragma once
// Dense single-precision GEMM on device memory, row-major like the CPU backend:
//   C = alpha op(A) op(B) + beta C,  op(A) m x k, op(B) k x n, C m x n;
// lda, ldb, ldc are row strides: A is stored m x k (k x m when transposed), likewise B.
// cublasSgemm under nvcc (the row-major product is the column-major C^T = op(B)^T op(A)^T),
// mmn::blas::sgemm (OpenBLAS) under the emulator. With beta = 0, C is not read (it may hold NaN).
#include <stdexcept>
#include <string>

#include "mmn/device/kernel_api.h"
#include "mmn/wrappers/blas_handle.h"
#include "mmn/wrappers/cuda_status.h"

#if !defined(__CUDACC__)
#include "mmn/ops/blas.h"
#endif

namespace mmn::wrappers {

enum class Op { none, transpose };

namespace detail {

inline void check_gemm_shape(Op op_a, Op op_b, int m, int n, int k, int lda, int ldb, int ldc) {
  const auto bad = [](const std::string& what) { throw std::invalid_argument("sgemm: " + what); };
  if (m < 0 || n < 0 || k < 0)
    bad("negative size (m = " + std::to_string(m) + ", n = " + std::to_string(n) + ", k = " + std::to_string(k) + ")");
  const auto need = [](int cols) { return cols > 1 ? cols : 1; };
  const int a_cols = op_a == Op::none ? k : m, b_cols = op_b == Op::none ? n : k;
  if (lda < need(a_cols)) bad("lda = " + std::to_string(lda) + " is less than A's " + std::to_string(need(a_cols)) + " columns");
  if (ldb < need(b_cols)) bad("ldb = " + std::to_string(ldb) + " is less than B's " + std::to_string(need(b_cols)) + " columns");
  if (ldc < need(n)) bad("ldc = " + std::to_string(ldc) + " is less than C's " + std::to_string(need(n)) + " columns");
}

}  // namespace detail

inline void sgemm(BlasHandle& blas, Op op_a, Op op_b, int m, int n, int k, float alpha, const float* a, int lda,
                  const float* b, int ldb, float beta, float* c, int ldc) {
  detail::check_gemm_shape(op_a, op_b, m, n, k, lda, ldb, ldc);
  if (m == 0 || n == 0) return;
#if defined(__CUDACC__)
  const auto cublas_op = [](Op op) { return op == Op::none ? CUBLAS_OP_N : CUBLAS_OP_T; };
  check_cublas(cublasSgemm(blas.get(), cublas_op(op_b), cublas_op(op_a), n, m, k, &alpha, b, ldb, a, lda, &beta, c, ldc),
               "sgemm: cublasSgemm");
#else
  (void)blas;
  mmn::blas::sgemm(op_a == Op::transpose, op_b == Op::transpose, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
#endif
}

}  // namespace mmn::wrappers
