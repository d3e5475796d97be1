#pragma once
// The small kernels a training step needs around the big ones: a fill, and the count of values
// that are not finite (the divergence guard without copying gradients to the host).
#include <cstdint>

#include "mmn/device/kernel_api.h"

namespace mmn::kernels {

constexpr unsigned kStepThreads = 256;
constexpr unsigned kStepMaxBlocks = 1024;

__host__ __device__ inline unsigned step_blocks(std::size_t elements) {
  const std::size_t blocks = (elements + kStepThreads - 1) / kStepThreads;
  return blocks == 0 ? 1u : static_cast<unsigned>(blocks < kStepMaxBlocks ? blocks : kStepMaxBlocks);
}

static __global__ void fill_u32(std::uint32_t* out, std::uint32_t n, std::uint32_t value) {
  for (std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) out[i] = value;
}

// *bad += the number of values among v[0, n) (n = *count_rows * row_width when count_rows is
// not null) that are NaN or infinite. Integer atomics: the count does not depend on order.
static __global__ void count_non_finite(const float* v, std::size_t n, const std::uint32_t* count_rows,
                                        std::uint32_t row_width, unsigned int* bad) {
  const std::size_t total = count_rows != nullptr ? std::size_t{*count_rows} * row_width : n;
  unsigned int mine = 0;
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < total;
       i += std::size_t{gridDim.x} * blockDim.x)
    if ((__float_as_uint(v[i]) & 0x7f800000u) == 0x7f800000u) ++mine;  // exponent all ones: NaN or inf
  if (mine != 0) atomicAdd(bad, mine);
}

inline void fill(std::uint32_t* out, std::uint32_t n, std::uint32_t value, cudaStream_t stream) {
  MMN_LAUNCH(fill_u32, dim3(step_blocks(n)), dim3(kStepThreads), 0, stream, out, n, value);
}

// Adds to *bad the non-finite values of v[0, n), or, with count_rows, of the first
// *count_rows rows of width row_width (max_rows bounds *count_rows and sizes the grid).
inline void add_non_finite_count(const float* v, std::size_t n, unsigned int* bad, cudaStream_t stream) {
  MMN_LAUNCH(count_non_finite, dim3(step_blocks(n)), dim3(kStepThreads), 0, stream, v, n,
             static_cast<const std::uint32_t*>(nullptr), 0u, bad);
}
inline void add_non_finite_count_rows(const float* v, const std::uint32_t* count_rows, std::uint32_t max_rows,
                                      std::uint32_t row_width, unsigned int* bad, cudaStream_t stream) {
  MMN_LAUNCH(count_non_finite, dim3(step_blocks(std::size_t{max_rows} * row_width)), dim3(kStepThreads), 0, stream, v,
             std::size_t{0}, count_rows, row_width, bad);
}

}  // namespace mmn::kernels
