#pragma once
// Device sum of n elements into *out (one element in device memory; T{} when n is 0).
// cub::DeviceReduce::Sum under nvcc, std::accumulate under the emulator; float sums are
// added in a different order on the GPU, so they agree to rounding only.
//
//   DeviceBuffer<std::byte> workspace(sum_workspace_bytes<T>(n));
//   sum(workspace.data(), workspace.size(), in, out, n, stream);
#include <cstddef>
#include <numeric>

#include "mmn/device/kernel_api.h"
#include "mmn/wrappers/cuda_status.h"
#include "mmn/wrappers/item_count.h"

#if defined(__CUDACC__)
#include <cub/device/device_reduce.cuh>
#endif

namespace mmn::wrappers {

template <typename T>
std::size_t sum_workspace_bytes(std::size_t n) {
  const int items = item_count(n, "sum_workspace_bytes");
#if defined(__CUDACC__)
  std::size_t bytes = 0;
  check_cuda(cub::DeviceReduce::Sum(nullptr, bytes, static_cast<const T*>(nullptr), static_cast<T*>(nullptr), items),
             "sum_workspace_bytes: cub::DeviceReduce::Sum");
  return bytes;
#else
  (void)items;
  return 0;
#endif
}

template <typename T>
void sum(void* workspace, std::size_t workspace_bytes, const T* in, T* out, std::size_t n, cudaStream_t stream) {
  check_workspace(workspace_bytes, sum_workspace_bytes<T>(n), "sum");
#if defined(__CUDACC__)
  std::size_t bytes = workspace_bytes;
  check_cuda(cub::DeviceReduce::Sum(workspace, bytes, in, out, static_cast<int>(n), stream),
             "sum: cub::DeviceReduce::Sum");
#else
  (void)workspace;
  (void)stream;
  *out = std::accumulate(in, in + n, T{});
#endif
}

}  // namespace mmn::wrappers
