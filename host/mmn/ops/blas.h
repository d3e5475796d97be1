#pragma once
// Row-major single-precision GEMM over OpenBLAS. OpenBLAS runs single-threaded:
// mmn splits work over its own ThreadPool in fixed-size pieces, so results do not
// depend on the number of threads.
//
// OpenBLAS is loaded at run time, on first use, after OPENBLAS_CORETYPE is set to
// the kernels that fit the CPU (blas_core.h); a user's own OPENBLAS_CORETYPE wins.
#include <string>

namespace mmn::blas {

// C[M x N] = alpha * op(A) * op(B) + beta * C, op(X) = X or X^T, all row-major.
void sgemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
           int ldb, float beta, float* c, int ldc);

// Loads OpenBLAS (once) and sets it single-threaded; sgemm calls it. Throws
// std::runtime_error naming the files tried when OpenBLAS cannot be loaded.
void use_single_thread();

// What was loaded and which kernels run, for run records and benchmark context.
struct LibraryInfo {
  std::string path;         // the file dlopen loaded
  std::string config;       // openblas_get_config(): version and build options
  std::string core;         // openblas_get_corename(): the kernel set in use
  std::string core_chosen_by;  // "mmn" (for this CPU), "OPENBLAS_CORETYPE" (the user), "OpenBLAS" (its detection)
  std::string cpu_simd;     // the CPU's widest vector instruction set
  std::string warning;      // non-empty when the kernels are narrower than the CPU allows
};
const LibraryInfo& library_info();
// The OpenBLAS library the build found (tried first; then libopenblas.so.0 on the search path).
const char* configured_library();

}  // namespace mmn::blas
