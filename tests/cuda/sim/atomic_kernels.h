#pragma once
// Kernels for atomics_test.cpp (also compiled by nvcc in CUDA builds).
#include "mmn/device/kernel_api.h"

namespace mmn::sim_test {

// Every thread adds `step` to *total and records the old value it saw.
template <typename T>
__global__ void atomic_add_all(T* total, T step, T* olds) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  olds[i] = atomicAdd(total, step);
}

// Every thread folds values[i] into min, max, and, or, xor cells.
template <typename T>
__global__ void atomic_folds(const T* values, T* cells) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  atomicMin(&cells[0], values[i]);
  atomicMax(&cells[1], values[i]);
  atomicAnd(&cells[2], values[i]);
  atomicOr(&cells[3], values[i]);
  atomicXor(&cells[4], values[i]);
}

// Every thread subtracts values[i] from *total.
template <typename T>
__global__ void atomic_sub_all(const T* values, T* total) {
  atomicSub(total, values[blockIdx.x * blockDim.x + threadIdx.x]);
}

// Every thread tries to claim *slot (0 = free) with its id + 1; won[i] says whether it did.
template <typename T>
__global__ void atomic_claim(T* slot, int* won) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  won[i] = atomicCAS(slot, T(0), static_cast<T>(i + 1)) == T(0);
}

// Every thread swaps its id + 1 into *cell and records what it took out.
template <typename T>
__global__ void atomic_exchange_chain(T* cell, T* taken) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  taken[i] = atomicExch(cell, static_cast<T>(i + 1));
}

// Every thread increments and decrements wrapping counters with limit `limit`.
__global__ void atomic_wrapping(unsigned* counters, unsigned limit) {
  atomicInc(&counters[0], limit);
  atomicDec(&counters[1], limit);
}

}  // namespace mmn::sim_test
