#pragma once
// Kernels for wmma_test.cpp (also compiled by nvcc in CUDA builds): one warp multiplies 16 x 16
// tiles staged in shared memory, and deliberately broken uses of the WMMA API.
#include <type_traits>

#include "mmn/device/tensor_core.h"

namespace mmn::sim_test {

namespace wmma = nvcuda::wmma;

// d = round(a) round(b) + c for 16 x 16 row-major a (16 x 16 bf16 operands) and b; with
// kAColumnMajor, a is staged transposed and loaded as a column-major fragment.
template <bool kAColumnMajor>
__global__ void wmma_bf16_tile(const float* a, const float* b, const float* c, float* d) {
  __shared__ __align__(32) __nv_bfloat16 a_s[16 * 16];
  __shared__ __align__(32) __nv_bfloat16 b_s[16 * 16];
  __shared__ __align__(32) float c_s[16 * 16];
  for (unsigned i = threadIdx.x; i < 256; i += 32) {
    const unsigned r = i / 16, k = i % 16;
    a_s[kAColumnMajor ? k * 16 + r : i] = __float2bfloat16(a[i]);
    b_s[i] = __float2bfloat16(b[i]);
    c_s[i] = c[i];
  }
  __syncwarp();
  using ALayout = std::conditional_t<kAColumnMajor, wmma::col_major, wmma::row_major>;
  wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, ALayout> fa;
  wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::row_major> fb;
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
  wmma::load_matrix_sync(fa, a_s, 16);
  wmma::load_matrix_sync(fb, b_s, 16);
  wmma::load_matrix_sync(acc, c_s, 16, wmma::mem_row_major);
  wmma::mma_sync(acc, fa, fb, acc);
  wmma::store_matrix_sync(c_s, acc, 16, wmma::mem_col_major);
  __syncwarp();
  for (unsigned i = threadIdx.x; i < 256; i += 32) d[(i % 16) * 16 + i / 16] = c_s[i];
}

// d = a b for 16 x 8 a and 8 x 16 b (tf32 operands); kRound converts the staged values with
// __float_to_tf32, as the API requires; without it the operands keep their fp32 bits.
template <bool kRound>
__global__ void wmma_tf32_tile(const float* a, const float* b, float* d) {
  __shared__ __align__(32) float a_s[16 * 8];
  __shared__ __align__(32) float b_s[8 * 16];
  __shared__ __align__(32) float d_s[16 * 16];
  for (unsigned i = threadIdx.x; i < 128; i += 32) {
    a_s[i] = kRound ? wmma::__float_to_tf32(a[i]) : a[i];
    b_s[i] = kRound ? wmma::__float_to_tf32(b[i]) : b[i];
  }
  __syncwarp();
  wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fa;
  wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> fb;
  wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc;
  wmma::fill_fragment(acc, 0.0f);
  wmma::load_matrix_sync(fa, a_s, 8);
  wmma::load_matrix_sync(fb, b_s, 16);
  wmma::mma_sync(acc, fa, fb, acc);
  wmma::store_matrix_sync(d_s, acc, 16, wmma::mem_row_major);
  __syncwarp();
  for (unsigned i = threadIdx.x; i < 256; i += 32) d[i] = d_s[i];
}

// A load whose leading dimension (ldm) or address breaks the API's rules.
__global__ void wmma_bad_load(unsigned ldm, unsigned offset) {
  __shared__ __align__(32) __nv_bfloat16 a_s[40 * 16];
  wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> fa;
  wmma::load_matrix_sync(fa, a_s + offset, ldm);
}

// Only lanes below `lanes` reach the multiply.
__global__ void wmma_divergent_mma(unsigned lanes) {
  __shared__ __align__(32) __nv_bfloat16 a_s[16 * 16];
  wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> fa;
  wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::row_major> fb;
  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
  wmma::fill_fragment(acc, 0.0f);
  wmma::load_matrix_sync(fa, a_s, 16);
  wmma::load_matrix_sync(fb, a_s, 16);
  if (threadIdx.x < lanes) wmma::mma_sync(acc, fa, fb, acc);
}

// Warp 0 stores 1 + the tile of ones squared (16 everywhere, plus 1) into shared memory; warp 1
// copies it out, after a __syncthreads only kWithBarrier.
template <bool kWithBarrier>
__global__ void wmma_store_then_read(float* out) {
  __shared__ __align__(32) __nv_bfloat16 ones[16 * 16];
  __shared__ __align__(32) float tile[16 * 16];
  for (unsigned i = threadIdx.x; i < 256; i += blockDim.x) ones[i] = __float2bfloat16(1.0f), tile[i] = 0.0f;
  __syncthreads();
  if (threadIdx.x < 32) {
    wmma::fragment<wmma::matrix_a, 16, 16, 16, __nv_bfloat16, wmma::row_major> fa;
    wmma::fragment<wmma::matrix_b, 16, 16, 16, __nv_bfloat16, wmma::row_major> fb;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc;
    wmma::fill_fragment(acc, 1.0f);
    wmma::load_matrix_sync(fa, ones, 16);
    wmma::load_matrix_sync(fb, ones, 16);
    wmma::mma_sync(acc, fa, fb, acc);
    wmma::store_matrix_sync(tile, acc, 16, wmma::mem_row_major);
  }
  if (kWithBarrier) __syncthreads();
  if (threadIdx.x >= 32)
    for (unsigned i = threadIdx.x - 32; i < 256; i += 32) out[i] = tile[i];
}

}  // namespace mmn::sim_test
