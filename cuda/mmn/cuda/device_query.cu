#include "mmn/cuda/device_query.h"

#include <cuda_runtime.h>

#include <vector>

namespace mmn::cuda {
namespace {

__global__ void write_thread_indices(int* out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = i;
}

}  // namespace

DeviceReport query_devices() {
  DeviceReport r;
  const cudaError_t err = cudaGetDeviceCount(&r.count);
  if (err != cudaSuccess) {
    r.count = 0;
    r.reason = cudaGetErrorString(err);
  } else if (r.count == 0) {
    r.reason = "no CUDA device";
  }
  return r;
}

bool self_test_kernel() {
  if (query_devices().count == 0) return false;
  constexpr int n = 256;
  int* device = nullptr;
  if (cudaMalloc(&device, n * sizeof(int)) != cudaSuccess) return false;
  write_thread_indices<<<1, n>>>(device, n);
  std::vector<int> host(n, -1);
  const bool copied = cudaMemcpy(host.data(), device, n * sizeof(int), cudaMemcpyDeviceToHost) == cudaSuccess;
  cudaFree(device);
  if (!copied) return false;
  for (int i = 0; i < n; ++i)
    if (host[i] != i) return false;
  return true;
}

}  // namespace mmn::cuda
