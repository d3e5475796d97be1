#pragma once
// Turns a failed CUDA, CUB or cuBLAS call into an exception naming the wrapper and the call.
// nvcc builds only.
#if defined(__CUDACC__)
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

namespace mmn::wrappers {

inline void check_cuda(cudaError_t status, const char* where) {
  if (status != cudaSuccess) throw std::runtime_error(std::string(where) + ": " + cudaGetErrorString(status));
}

inline void check_cublas(cublasStatus_t status, const char* where) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string(where) + ": cuBLAS status " + std::to_string(static_cast<int>(status)) + " (" +
                             cublasGetStatusString(status) + ")");
}

}  // namespace mmn::wrappers
#endif
