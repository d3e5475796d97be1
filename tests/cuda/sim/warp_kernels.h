#pragma once
// Kernels for shuffle_test.cpp and vote_test.cpp (also compiled by nvcc in CUDA builds).
#include "mmn/device/kernel_api.h"

namespace mmn::sim_test {

constexpr unsigned kFullMask = 0xffffffffu;

struct ShuffleParams {
  int source_lane;
  unsigned delta;
  int lane_mask;
  int width;
};

// out[4*i + k]: the four shuffle kinds of in[i] with the same parameters, full mask.
template <typename T>
__global__ void shuffle_kinds(const T* in, T* out, ShuffleParams p) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  const T v = in[i];
  out[4 * i + 0] = __shfl_sync(kFullMask, v, p.source_lane, p.width);
  out[4 * i + 1] = __shfl_up_sync(kFullMask, v, p.delta, p.width);
  out[4 * i + 2] = __shfl_down_sync(kFullMask, v, p.delta, p.width);
  out[4 * i + 3] = __shfl_xor_sync(kFullMask, v, p.lane_mask, p.width);
}

// Lanes 0-15 shuffle down among themselves (mask 0x0000ffff); the others do not take part.
__global__ void shuffle_down_half_warp(const int* in, int* out, unsigned delta) {
  const unsigned lane = threadIdx.x % 32;
  out[threadIdx.x] = -7;
  if (lane < 16) out[threadIdx.x] = __shfl_down_sync(0x0000ffffu, in[threadIdx.x], delta);
}

// Butterfly sum over the warp: every lane ends with the warp's total.
__global__ void warp_allreduce(const float* in, float* out) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  float v = in[i];
  for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(kFullMask, v, offset);
  out[i] = v;
}

// out[3*i + k]: ballot, any, all of (in[i] != 0) over `mask`; lanes outside `mask` write 0s.
__global__ void votes(const int* in, unsigned* out, unsigned mask) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  const unsigned lane = threadIdx.x % 32;
  unsigned r[3] = {0, 0, 0};
  if (mask & (1u << lane)) {
    const int p = in[i];
    r[0] = __ballot_sync(mask, p);
    r[1] = static_cast<unsigned>(__any_sync(mask, p));
    r[2] = static_cast<unsigned>(__all_sync(mask, p));
  }
  for (int k = 0; k < 3; ++k) out[3 * i + k] = r[k];
}

// Lanes below `exit_below` exit at once; the others record __activemask().
__global__ void active_mask_after_exits(unsigned* out, unsigned exit_below) {
  if (threadIdx.x % 32 < exit_below) return;
  out[threadIdx.x] = __activemask();
}

// out[3*i + k]: __match_any_sync, __match_all_sync and its predicate, over the full warp.
__global__ void matches(const int* in, unsigned* out) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  int pred = -1;
  out[3 * i + 0] = __match_any_sync(kFullMask, in[i]);
  out[3 * i + 1] = __match_all_sync(kFullMask, in[i], &pred);
  out[3 * i + 2] = static_cast<unsigned>(pred);
}

// out[6*i + k]: warp reductions (add, min, max as int; and, or, xor as unsigned).
__global__ void warp_reductions(const int* in, int* out) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  const int v = in[i];
  const unsigned u = static_cast<unsigned>(v);
  out[6 * i + 0] = __reduce_add_sync(kFullMask, v);
  out[6 * i + 1] = __reduce_min_sync(kFullMask, v);
  out[6 * i + 2] = __reduce_max_sync(kFullMask, v);
  out[6 * i + 3] = static_cast<int>(__reduce_and_sync(kFullMask, u));
  out[6 * i + 4] = static_cast<int>(__reduce_or_sync(kFullMask, u));
  out[6 * i + 5] = static_cast<int>(__reduce_xor_sync(kFullMask, u));
}

// out[3*i + k]: __syncthreads_count, _and, _or of (in[i] != 0) over the block.
__global__ void block_votes(const int* in, int* out) {
  const unsigned i = blockIdx.x * blockDim.x + threadIdx.x;
  const int p = in[i];
  out[3 * i + 0] = __syncthreads_count(p);
  out[3 * i + 1] = __syncthreads_and(p);
  out[3 * i + 2] = __syncthreads_or(p);
}

}  // namespace mmn::sim_test
