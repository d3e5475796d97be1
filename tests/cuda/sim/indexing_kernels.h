#pragma once
// Kernels for indexing_test.cpp (also compiled by nvcc in CUDA builds).
#include "mmn/device/kernel_api.h"

namespace mmn::sim_test {

constexpr unsigned kIndexRecord = 12;

// Each thread writes threadIdx, blockIdx, blockDim, gridDim at its global linear index.
__global__ void record_indices(unsigned* out) {
  const unsigned block = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
  const unsigned thread = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  unsigned* r = out + kIndexRecord * (block * (blockDim.x * blockDim.y * blockDim.z) + thread);
  r[0] = threadIdx.x;
  r[1] = threadIdx.y;
  r[2] = threadIdx.z;
  r[3] = blockIdx.x;
  r[4] = blockIdx.y;
  r[5] = blockIdx.z;
  r[6] = blockDim.x;
  r[7] = blockDim.y;
  r[8] = blockDim.z;
  r[9] = gridDim.x;
  r[10] = gridDim.y;
  r[11] = gridDim.z;
}

// Grid-stride loop: out[i] = a * x[i] + y[i]; its arguments arrive converted to the parameter types.
__global__ void saxpy(int n, float a, const float* x, const float* y, float* out) {
  for (int i = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x); i < n;
       i += static_cast<int>(blockDim.x * gridDim.x)) {
    out[i] = a * x[i] + y[i];
  }
}

}  // namespace mmn::sim_test
