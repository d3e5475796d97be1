#pragma once
// The cuBLAS calls of the GPU benchmarks for their dry run on the emulator (see
// cuda_runtime.h here): column-major GEMMs without transposes, through OpenBLAS. fp32 or bf16
// (its 16 bits) operands and results; CUBLAS_COMPUTE_32F_FAST_TF32 rounds fp32 operands to tf32
// first, as the GPU's tensor cores take them.
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mmn/ops/blas.h"
#include "mmn/ops/operand_precision.h"

enum cublasStatus_t { CUBLAS_STATUS_SUCCESS = 0, CUBLAS_STATUS_INVALID_VALUE = 7, CUBLAS_STATUS_NOT_SUPPORTED = 15 };
enum cublasOperation_t { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 };
enum cublasMath_t { CUBLAS_DEFAULT_MATH = 0 };
enum cublasComputeType_t { CUBLAS_COMPUTE_32F = 68, CUBLAS_COMPUTE_32F_FAST_TF32 = 77 };
enum cublasGemmAlgo_t { CUBLAS_GEMM_DEFAULT = -1 };
enum cudaDataType_t { CUDA_R_32F = 0, CUDA_R_16BF = 14 };
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

namespace mmn_emulated_cublas {

// n values of type t at p as floats, rounded to tf32 where the compute type says so.
inline std::vector<float> floats(const void* p, cudaDataType_t t, std::size_t n, cublasComputeType_t compute) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i] = t == CUDA_R_16BF ? mmn::float_of_bf16_bits(static_cast<const std::uint16_t*>(p)[i])
                            : static_cast<const float*>(p)[i];
    if (t == CUDA_R_32F && compute == CUBLAS_COMPUTE_32F_FAST_TF32) v[i] = mmn::round_to_tf32(v[i]);
  }
  return v;
}

inline void store(const std::vector<float>& v, void* p, cudaDataType_t t) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (t == CUDA_R_16BF)
      static_cast<std::uint16_t*>(p)[i] = mmn::bf16_bits_of(v[i]);
    else
      static_cast<float*>(p)[i] = v[i];
  }
}

}  // namespace mmn_emulated_cublas

// fp32 alpha and beta (the scale type of every combination the benchmarks use).
inline cublasStatus_t cublasGemmEx(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                                   const void* alpha, const void* a, cudaDataType_t a_type, int lda, const void* b,
                                   cudaDataType_t b_type, int ldb, const void* beta, void* c, cudaDataType_t c_type,
                                   int ldc, cublasComputeType_t compute, cublasGemmAlgo_t) {
  namespace e = mmn_emulated_cublas;
  const auto span = [](int rows, int cols, int ld) {  // elements from the first to the last of a column-major matrix
    return cols == 0 ? std::size_t{0} : static_cast<std::size_t>(ld) * static_cast<std::size_t>(cols - 1) + rows;
  };
  const std::vector<float> fa = e::floats(a, a_type, span(m, k, lda), compute);
  const std::vector<float> fb = e::floats(b, b_type, span(k, n, ldb), compute);
  std::vector<float> fc = e::floats(c, c_type, span(m, n, ldc), CUBLAS_COMPUTE_32F);
  const cublasStatus_t s = cublasSgemm(h, ta, tb, m, n, k, static_cast<const float*>(alpha), fa.data(), lda,
                                       fb.data(), ldb, static_cast<const float*>(beta), fc.data(), ldc);
  if (s == CUBLAS_STATUS_SUCCESS) e::store(fc, c, c_type);
  return s;
}

inline cublasStatus_t cublasGemmGroupedBatchedEx(cublasHandle_t h, const cublasOperation_t* ta,
                                                 const cublasOperation_t* tb, const int* m, const int* n, const int* k,
                                                 const void* alpha, const void* const* a, cudaDataType_t a_type,
                                                 const int* lda, const void* const* b, cudaDataType_t b_type,
                                                 const int* ldb, const void* beta, void* const* c,
                                                 cudaDataType_t c_type, const int* ldc, int groups,
                                                 const int* group_size, cublasComputeType_t compute) {
  int at = 0;
  for (int g = 0; g < groups; ++g)
    for (int i = 0; i < group_size[g]; ++i, ++at) {
      const cublasStatus_t s = cublasGemmEx(h, ta[g], tb[g], m[g], n[g], k[g], static_cast<const float*>(alpha) + g,
                                            a[at], a_type, lda[g], b[at], b_type, ldb[g],
                                            static_cast<const float*>(beta) + g, c[at], c_type, ldc[g], compute,
                                            CUBLAS_GEMM_DEFAULT);
      if (s != CUBLAS_STATUS_SUCCESS) return s;
    }
  return CUBLAS_STATUS_SUCCESS;
}
