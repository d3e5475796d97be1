#pragma once
// Adam and Adagrad on the device, the same updates as the CPU ops (host/mmn/ops/optimizers.h):
// fused over a flat array of dense parameters, and sparse over the touched rows of an embedding
// table (the unique ids and summed gradients embedding_backward leaves on the device, their
// count read on the device, so no host synchronisation). One thread per element, grid-stride;
// every element is written by one thread only (ids are unique), so there are no atomics and
// the result does not depend on scheduling. Adam's bias corrections are computed on the host
// in double, as the CPU op does, from the 1-based step.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "mmn/device/kernel_api.h"

namespace mmn::kernels {

constexpr unsigned kOptimizerThreads = 256;
constexpr unsigned kOptimizerMaxBlocks = 4096;

struct AdamHyper {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
};

struct AdagradHyper {
  float lr = 0.05f;
  float eps = 1e-10f;  // the accumulator's initial value is the caller's to set
};

// One step's constants: p -= step_size * m / (sqrt(v) * inv_sqrt_bias2 + eps).
struct AdamStep {
  float beta1, beta2, eps, step_size, inv_sqrt_bias2;
};

inline AdamStep adam_step(const AdamHyper& c, std::uint64_t step) {
  if (step == 0) throw std::invalid_argument("adam: step is 1-based, got 0");
  const double t = static_cast<double>(step);
  const double bias1 = 1.0 - std::pow(static_cast<double>(c.beta1), t);
  const double bias2 = 1.0 - std::pow(static_cast<double>(c.beta2), t);
  return {c.beta1, c.beta2, c.eps, static_cast<float>(c.lr / bias1), static_cast<float>(1.0 / std::sqrt(bias2))};
}

inline unsigned optimizer_blocks(std::size_t elements) {
  const std::size_t blocks = (elements + kOptimizerThreads - 1) / kOptimizerThreads;
  return blocks == 0 ? 1u : static_cast<unsigned>(blocks < kOptimizerMaxBlocks ? blocks : kOptimizerMaxBlocks);
}

__device__ inline void adam_apply(const AdamStep& s, float& p, float g, float& m, float& v) {
  m = s.beta1 * m + (1.0f - s.beta1) * g;
  v = s.beta2 * v + (1.0f - s.beta2) * g * g;
  p -= s.step_size * m / (sqrtf(v) * s.inv_sqrt_bias2 + s.eps);
}

__device__ inline void adagrad_apply(const AdagradHyper& c, float& p, float g, float& accumulator) {
  accumulator += g * g;
  p -= c.lr * g / (sqrtf(accumulator) + c.eps);
}

static __global__ void adam_dense(float* params, const float* grads, float* m, float* v, std::size_t n, AdamStep s) {
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < n; i += std::size_t{gridDim.x} * blockDim.x)
    adam_apply(s, params[i], grads[i], m[i], v[i]);
}

static __global__ void adagrad_dense(float* params, const float* grads, float* accumulator, std::size_t n, AdagradHyper c) {
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < n; i += std::size_t{gridDim.x} * blockDim.x)
    adagrad_apply(c, params[i], grads[i], accumulator[i]);
}

// Row ids[k] of table, m and v (each vocab x dim) takes gradient row k, for k < *count.
static __global__ void adam_rows(float* table, float* m, float* v, std::uint32_t dim, const std::uint32_t* ids,
                          const float* grads, const std::uint32_t* count, AdamStep s) {
  const std::size_t total = std::size_t{*count} * dim;
  for (std::size_t t = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; t < total;
       t += std::size_t{gridDim.x} * blockDim.x) {
    const std::size_t at = std::size_t{ids[t / dim]} * dim + t % dim;
    adam_apply(s, table[at], grads[t], m[at], v[at]);
  }
}

static __global__ void adagrad_rows(float* table, float* accumulator, std::uint32_t dim, const std::uint32_t* ids,
                             const float* grads, const std::uint32_t* count, AdagradHyper c) {
  const std::size_t total = std::size_t{*count} * dim;
  for (std::size_t t = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; t < total;
       t += std::size_t{gridDim.x} * blockDim.x) {
    const std::size_t at = std::size_t{ids[t / dim]} * dim + t % dim;
    adagrad_apply(c, table[at], grads[t], accumulator[at]);
  }
}

inline void adam_update(float* params, const float* grads, float* m, float* v, std::size_t n, const AdamHyper& c,
                        std::uint64_t step, cudaStream_t stream) {
  const AdamStep s = adam_step(c, step);
  MMN_LAUNCH(adam_dense, dim3(optimizer_blocks(n)), dim3(kOptimizerThreads), 0, stream, params, grads, m, v, n, s);
}

inline void adagrad_update(float* params, const float* grads, float* accumulator, std::size_t n, const AdagradHyper& c,
                           cudaStream_t stream) {
  MMN_LAUNCH(adagrad_dense, dim3(optimizer_blocks(n)), dim3(kOptimizerThreads), 0, stream, params, grads, accumulator,
             n, c);
}

// The sparse updates: ids (unique, each < the table's vocabulary) and grads (max_rows x dim)
// as embedding_backward writes them, *count <= max_rows on the device; max_rows sizes the grid.
inline void adam_update_rows(float* table, float* m, float* v, std::uint32_t dim, const std::uint32_t* ids,
                             const float* grads, const std::uint32_t* count, std::uint32_t max_rows, const AdamHyper& c,
                             std::uint64_t step, cudaStream_t stream) {
  const AdamStep s = adam_step(c, step);
  MMN_LAUNCH(adam_rows, dim3(optimizer_blocks(std::size_t{max_rows} * dim)), dim3(kOptimizerThreads), 0, stream, table,
             m, v, dim, ids, grads, count, s);
}

inline void adagrad_update_rows(float* table, float* accumulator, std::uint32_t dim, const std::uint32_t* ids,
                                const float* grads, const std::uint32_t* count, std::uint32_t max_rows,
                                const AdagradHyper& c, cudaStream_t stream) {
  MMN_LAUNCH(adagrad_rows, dim3(optimizer_blocks(std::size_t{max_rows} * dim)), dim3(kOptimizerThreads), 0, stream,
             table, accumulator, dim, ids, grads, count, c);
}

}  // namespace mmn::kernels
