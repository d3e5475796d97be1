#pragma once
// Device exclusive prefix sum: out[i] = in[0] + ... + in[i-1], out[0] = 0.
// cub::DeviceScan::ExclusiveSum under nvcc, std::exclusive_scan under the emulator.
// in and out may be the same array (CUB allows it).
//
//   DeviceBuffer<std::byte> workspace(exclusive_sum_workspace_bytes<T>(n));
//   exclusive_sum(workspace.data(), workspace.size(), in, out, n, stream);
#include <cstddef>
#include <numeric>

#include "mmn/device/kernel_api.h"
#include "mmn/wrappers/cuda_status.h"
#include "mmn/wrappers/item_count.h"

#if defined(__CUDACC__)
#include <cub/device/device_scan.cuh>
#endif

namespace mmn::wrappers {

template <typename T>
std::size_t exclusive_sum_workspace_bytes(std::size_t n) {
  const int items = item_count(n, "exclusive_sum_workspace_bytes");
#if defined(__CUDACC__)
  std::size_t bytes = 0;
  check_cuda(cub::DeviceScan::ExclusiveSum(nullptr, bytes, static_cast<const T*>(nullptr), static_cast<T*>(nullptr),
                                           items),
             "exclusive_sum_workspace_bytes: cub::DeviceScan::ExclusiveSum");
  return bytes;
#else
  (void)items;
  return 0;
#endif
}

template <typename T>
void exclusive_sum(void* workspace, std::size_t workspace_bytes, const T* in, T* out, std::size_t n,
                   cudaStream_t stream) {
  check_workspace(workspace_bytes, exclusive_sum_workspace_bytes<T>(n), "exclusive_sum");
  if (n == 0) return;
#if defined(__CUDACC__)
  std::size_t bytes = workspace_bytes;
  check_cuda(cub::DeviceScan::ExclusiveSum(workspace, bytes, in, out, static_cast<int>(n), stream),
             "exclusive_sum: cub::DeviceScan::ExclusiveSum");
#else
  (void)workspace;
  (void)stream;
  std::exclusive_scan(in, in + n, out, T{});
#endif
}

}  // namespace mmn::wrappers
