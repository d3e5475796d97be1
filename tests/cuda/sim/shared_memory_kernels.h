#pragma once
// Kernels for shared_memory_test.cpp (also compiled by nvcc in CUDA builds).
#include "mmn/device/kernel_api.h"

namespace mmn::sim_test {

// Reverses each block's slice through static shared memory (blockDim.x <= 256).
__global__ void reverse_in_blocks(const int* in, int* out) {
  __shared__ int tile[256];
  const unsigned t = threadIdx.x;
  const unsigned base = blockIdx.x * blockDim.x;
  tile[t] = in[base + t];
  __syncthreads();
  out[base + t] = tile[blockDim.x - 1 - t];
}

// Block sum by a shared-memory tree (blockDim.x a power of two <= 256), two barriers a step.
template <typename T>
__global__ void block_sum(const T* in, T* out) {
  __shared__ T partial[256];
  const unsigned t = threadIdx.x;
  partial[t] = in[blockIdx.x * blockDim.x + t];
  __syncthreads();
  for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
    T mine = partial[t];
    if (t < stride) mine += partial[t + stride];
    __syncthreads();
    partial[t] = mine;
    __syncthreads();
  }
  if (t == 0) out[blockIdx.x] = partial[0];
}

// Dynamic shared memory carved into blockDim.x floats then blockDim.x ints: each thread
// stores its value and its index; thread t reads its right neighbour's (wrapping).
__global__ void rotate_through_dynamic_shared(const float* in, float* out_values, int* out_indices) {
  MMN_DYNAMIC_SHARED(float, values);
  int* indices = reinterpret_cast<int*>(values + blockDim.x);
  const unsigned t = threadIdx.x;
  const unsigned base = blockIdx.x * blockDim.x;
  values[t] = in[base + t];
  indices[t] = static_cast<int>(base + t);
  __syncthreads();
  const unsigned right = (t + 1) % blockDim.x;
  out_values[base + t] = values[right];
  out_indices[base + t] = indices[right];
}

// Reads dynamic shared memory before any thread of the block writes it, then writes it:
// what the emulator's poisoning gives (0xffffffff in every block).
__global__ void read_shared_before_writing(unsigned* out) {
  MMN_DYNAMIC_SHARED(unsigned, cell);
  if (threadIdx.x == 0) {
    out[blockIdx.x] = cell[0];
    cell[0] = blockIdx.x;
  }
}

}  // namespace mmn::sim_test
