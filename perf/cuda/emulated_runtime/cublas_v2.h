#pragma once
// The cuBLAS calls of the GPU benchmarks for their dry run on the emulator (see
// cuda_runtime.h here): column-major GEMMs without transposes, through OpenBLAS.
#include <cuda_runtime.h>

#include "mmn/ops/blas.h"

enum cublasStatus_t { CUBLAS_STATUS_SUCCESS = 0, CUBLAS_STATUS_INVALID_VALUE = 7, CUBLAS_STATUS_NOT_SUPPORTED = 15 };
enum cublasOperation_t { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 };
enum cublasMath_t { CUBLAS_DEFAULT_MATH = 0 };
enum cublasComputeType_t { CUBLAS_COMPUTE_32F = 68 };
enum cudaDataType_t { CUDA_R_32F = 0 };
struct cublasContext {};
using cublasHandle_t = cublasContext*;

inline const char* cublasGetStatusString(cublasStatus_t s) {
  return s == CUBLAS_STATUS_SUCCESS ? "CUBLAS_STATUS_SUCCESS" : "CUBLAS_STATUS_NOT_SUPPORTED (emulated cuBLAS)";
}
inline cublasStatus_t cublasCreate(cublasHandle_t* h) {
  *h = new cublasContext;
  return CUBLAS_STATUS_SUCCESS;
}
inline cublasStatus_t cublasDestroy(cublasHandle_t h) {
  delete h;
  return CUBLAS_STATUS_SUCCESS;
}
inline cublasStatus_t cublasSetMathMode(cublasHandle_t, cublasMath_t) { return CUBLAS_STATUS_SUCCESS; }

// Column-major C (m x n) = A B is row-major C^T = B^T A^T.
inline cublasStatus_t cublasSgemm(cublasHandle_t, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                                  const float* alpha, const float* a, int lda, const float* b, int ldb,
                                  const float* beta, float* c, int ldc) {
  if (ta != CUBLAS_OP_N || tb != CUBLAS_OP_N) return CUBLAS_STATUS_NOT_SUPPORTED;
  mmn::blas::sgemm(false, false, n, m, k, *alpha, b, ldb, a, lda, *beta, c, ldc);
  return CUBLAS_STATUS_SUCCESS;
}

inline cublasStatus_t cublasGemmGroupedBatchedEx(cublasHandle_t h, const cublasOperation_t* ta,
                                                 const cublasOperation_t* tb, const int* m, const int* n, const int* k,
                                                 const void* alpha, const void* const* a, cudaDataType_t,
                                                 const int* lda, const void* const* b, cudaDataType_t, const int* ldb,
                                                 const void* beta, void* const* c, cudaDataType_t, const int* ldc,
                                                 int groups, const int* group_size, cublasComputeType_t) {
  int at = 0;
  for (int g = 0; g < groups; ++g)
    for (int i = 0; i < group_size[g]; ++i, ++at) {
      const cublasStatus_t s =
          cublasSgemm(h, ta[g], tb[g], m[g], n[g], k[g], static_cast<const float*>(alpha) + g,
                      static_cast<const float*>(a[at]), lda[g], static_cast<const float*>(b[at]), ldb[g],
                      static_cast<const float*>(beta) + g, static_cast<float*>(c[at]), ldc[g]);
      if (s != CUBLAS_STATUS_SUCCESS) return s;
    }
  return CUBLAS_STATUS_SUCCESS;
}
