#pragma once
// Deliberately broken kernels and their repaired versions, for errors_test.cpp (also
// compiled by nvcc in CUDA builds: the mistakes are in behaviour, not syntax).
#include "mmn/device/kernel_api.h"

namespace mmn::sim_test {

// Missing __syncthreads between the write of `tile` and the read of a neighbour's entry.
template <bool kWithBarrier>
__global__ void rotate_left(const int* in, int* out) {
  __shared__ int tile[128];
  const unsigned t = threadIdx.x;
  tile[t] = in[blockIdx.x * blockDim.x + t];
  if (kWithBarrier) __syncthreads();
  out[blockIdx.x * blockDim.x + t] = tile[(t + 1) % blockDim.x];
}

// Warp-synchronous tree sum of 32 values in shared memory (one warp a block). The broken
// form relies on lockstep execution; the repaired one separates reads and writes by __syncwarp.
// Unsigned: the broken form's sums grow exponentially in some orders, and must wrap, not overflow.
template <bool kWithSyncwarp>
__global__ void warp_tree_sum(const unsigned* in, unsigned* out) {
  __shared__ unsigned s[64];
  const unsigned lane = threadIdx.x;
  s[lane] = in[blockIdx.x * 32 + lane];
  s[lane + 32] = 0;
  __syncwarp();
  for (unsigned offset = 16; offset > 0; offset /= 2) {
    if (kWithSyncwarp) {
      const unsigned v = s[lane] + s[lane + offset];
      __syncwarp();
      s[lane] = v;
      __syncwarp();
    } else {
      s[lane] += s[lane + offset];
    }
  }
  if (lane == 0) out[blockIdx.x] = s[0];
}

// Threads from `first_exiting` on return early; the rest wait at a barrier.
__global__ void barrier_after_early_exit(int* out, unsigned first_exiting) {
  if (threadIdx.x >= first_exiting) return;
  __syncthreads();
  out[threadIdx.x] = 1;
}

// The two halves of the block wait at different __syncthreads calls.
__global__ void barriers_at_two_sites(int* out) {
  if (threadIdx.x < blockDim.x / 2) {
    __syncthreads();
    out[threadIdx.x] = 1;
  } else {
    __syncthreads();
    out[threadIdx.x] = 2;
  }
}

// A full-mask shuffle after lanes from `first_exiting` on have returned.
__global__ void shuffle_after_early_exit(const int* in, int* out, unsigned first_exiting) {
  if (threadIdx.x % 32 >= first_exiting) return;
  out[threadIdx.x] = __shfl_sync(0xffffffffu, in[threadIdx.x], 0);
}

// A shuffle whose mask is `mask` in every lane (whether or not it names the caller).
__global__ void shuffle_with_mask(const int* in, int* out, unsigned mask) {
  out[threadIdx.x] = __shfl_down_sync(mask, in[threadIdx.x], 1);
}

// Lane 0 waits at a shuffle with the full warp while the other lanes wait at a barrier.
__global__ void shuffle_against_barrier(const int* in, int* out) {
  if (threadIdx.x == 0) {
    out[0] = __shfl_sync(0xffffffffu, in[0], 1);
  } else {
    __syncthreads();
  }
}

// The two half-warps wait at different kinds of full-warp collective.
__global__ void shuffle_against_ballot(const int* in, int* out) {
  if (threadIdx.x < 16) {
    out[threadIdx.x] = __shfl_sync(0xffffffffu, in[threadIdx.x], 0);
  } else {
    out[threadIdx.x] = static_cast<int>(__ballot_sync(0xffffffffu, in[threadIdx.x]));
  }
}

// An invalid shuffle width.
__global__ void shuffle_with_width(const int* in, int* out, int width) {
  out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, in[threadIdx.x], 1, width);
}

// Writes one element past the dynamic shared memory the launch provides (`count` ints).
__global__ void overrun_dynamic_shared(int* out, unsigned count) {
  MMN_DYNAMIC_SHARED(int, cells);
  if (threadIdx.x == 0) {
    cells[count] = 1;
    out[0] = cells[count];
  }
}

// Writes one element past a static __shared__ array.
__global__ void overrun_static_shared(int* out, unsigned index) {
  __shared__ int cells[32];
  if (threadIdx.x == 0) {
    int* cell = cells + index;  // through a pointer: a bounds check on cells[] would see it first
    *cell = 1;
    out[0] = *cell;
  }
}

}  // namespace mmn::sim_test
