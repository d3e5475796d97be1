#pragma once
// Row-major single-precision GEMM over OpenBLAS. OpenBLAS runs single-threaded:
// mmn splits work over its own ThreadPool in fixed-size pieces, so results do not
// depend on the number of threads.
namespace mmn::blas {

// C[M x N] = alpha * op(A) * op(B) + beta * C, op(X) = X or X^T, all row-major.
void sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
           int ldb, float beta, float* c, int ldc);

// Called by sgemm on first use; exposed for benchmarks that call OpenBLAS directly.
void use_single_thread();

}  // namespace mmn::blas
