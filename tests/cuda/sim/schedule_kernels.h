#pragma once
// Kernels for schedule_test.cpp (also compiled by nvcc in CUDA builds).
#include "mmn/device/kernel_api.h"

namespace mmn::sim_test {

// Appends the global thread id to log[] in the order the threads run (ticket from *next).
__global__ void log_run_order(unsigned* next, unsigned* log) {
  const unsigned id = blockIdx.x * blockDim.x + threadIdx.x;
  log[atomicAdd(next, 1u)] = id;
}

// Like log_run_order, once before and once after a barrier (thread ids within the block).
__global__ void log_run_order_around_barrier(unsigned* next, unsigned* log) {
  log[atomicAdd(next, 1u)] = threadIdx.x;
  __syncthreads();
  log[atomicAdd(next, 1u)] = threadIdx.x;
}

}  // namespace mmn::sim_test
