#pragma once
// The BLAS context device GEMMs run in: a cuBLAS handle bound to a stream under nvcc,
// nothing under the emulator (OpenBLAS needs none). One per stream; not copyable.
#include "mmn/device/kernel_api.h"
#include "mmn/wrappers/cuda_status.h"

namespace mmn::wrappers {

class BlasHandle {
 public:
#if defined(__CUDACC__)
  explicit BlasHandle(cudaStream_t stream = nullptr) {
    check_cublas(cublasCreate(&handle_), "BlasHandle: cublasCreate");
    set_stream(stream);
  }
  ~BlasHandle() { cublasDestroy(handle_); }
  void set_stream(cudaStream_t stream) { check_cublas(cublasSetStream(handle_, stream), "BlasHandle: cublasSetStream"); }
  cublasHandle_t get() const { return handle_; }
#else
  explicit BlasHandle(cudaStream_t /*stream*/ = nullptr) {}
  void set_stream(cudaStream_t /*stream*/) {}
#endif
  BlasHandle(const BlasHandle&) = delete;
  BlasHandle& operator=(const BlasHandle&) = delete;

 private:
#if defined(__CUDACC__)
  cublasHandle_t handle_ = nullptr;
#endif
};

}  // namespace mmn::wrappers
