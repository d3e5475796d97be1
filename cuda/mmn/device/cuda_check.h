#pragma once
// The one check of CUDA runtime calls, for code built against the CUDA toolkit:
// MMN_CUDA_CHECK(call) throws a DeviceError naming the file, the line, the call and CUDA's
// error. A library with status codes of its own (NCCL) adds an overload of check_cuda in
// mmn::device beside its calls, and MMN_CUDA_CHECK checks those too.
#include <cuda_runtime.h>

#include <string>

#include "mmn/device/device_error.h"

namespace mmn::device {

inline void check_cuda(cudaError_t status, const std::string& call, const char* file, int line) {
  if (status != cudaSuccess)
    throw DeviceError(std::string(file) + ":" + std::to_string(line) + ": " + call + " failed: " +
                      cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")");
}

}  // namespace mmn::device

#define MMN_CUDA_CHECK(call) ::mmn::device::check_cuda((call), #call, __FILE__, __LINE__)
