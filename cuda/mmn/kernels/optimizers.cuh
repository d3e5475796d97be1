#pragma once
// Adam and Adagrad on the device, the same updates as the CPU ops (host/mmn/ops/optimizers.h):
// fused over a flat array of dense parameters, and sparse over the touched rows of an embedding
// table (the unique ids and summed gradients embedding_backward leaves on the device, their
// count read on the device, so no host synchronisation). One thread per element, grid-stride;
// every element is written by one thread only (ids are unique), so there are no atomics and
// the result does not depend on scheduling. The per-element updates and Adam's bias
// corrections are the CPU op's own (host/mmn/ops/optimizer_step.h). With `skip` (device memory)
// non-zero, a kernel changes nothing: a step whose gradients were found not finite on the device
// is not applied, with no host round trip.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "mmn/device/kernel_api.h"
#include "mmn/ops/optimizer_step.h"

namespace mmn::kernels {

constexpr unsigned kOptimizerThreads = 256;
constexpr unsigned kOptimizerMaxBlocks = 4096;

struct AdamHyper {
  float lr = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float l2 = 0.0f, l2_center = 0.0f;
};

struct AdagradHyper {
  float lr = 0.05f;
  float eps = 1e-10f;  // the accumulator's initial value is the caller's to set
  float l2 = 0.0f, l2_center = 0.0f;
};

inline AdamStep adam_step(const AdamHyper& c, std::uint64_t step) {
  return make_adam_step(c.lr, c.beta1, c.beta2, c.eps, c.l2, c.l2_center, step);
}
inline AdagradStep adagrad_step(const AdagradHyper& c) { return {c.lr, c.eps, c.l2, c.l2_center}; }

inline unsigned optimizer_blocks(std::size_t elements) {
  const std::size_t blocks = (elements + kOptimizerThreads - 1) / kOptimizerThreads;
  return blocks == 0 ? 1u : static_cast<unsigned>(blocks < kOptimizerMaxBlocks ? blocks : kOptimizerMaxBlocks);
}

static __global__ void adam_dense(float* params, const float* grads, float* m, float* v, std::size_t n, AdamStep s,
                                  const unsigned int* skip) {
  if (skip != nullptr && *skip != 0) return;
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < n; i += std::size_t{gridDim.x} * blockDim.x)
    adam_element(s, params[i], grads[i], m[i], v[i]);
}

static __global__ void adagrad_dense(float* params, const float* grads, float* accumulator, std::size_t n, AdagradStep c,
                                     const unsigned int* skip) {
  if (skip != nullptr && *skip != 0) return;
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < n; i += std::size_t{gridDim.x} * blockDim.x)
    adagrad_element(c, params[i], grads[i], accumulator[i]);
}

// Row ids[k] of table, m and v (each vocab x dim) takes gradient row k, for k < *count.
static __global__ void adam_rows(float* table, float* m, float* v, std::uint32_t dim, const std::uint32_t* ids,
                          const float* grads, const std::uint32_t* count, AdamStep s, const unsigned int* skip) {
  if (skip != nullptr && *skip != 0) return;
  const std::size_t total = std::size_t{*count} * dim;
  for (std::size_t t = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; t < total;
       t += std::size_t{gridDim.x} * blockDim.x) {
    const std::size_t at = std::size_t{ids[t / dim]} * dim + t % dim;
    adam_element(s, table[at], grads[t], m[at], v[at]);
  }
}

static __global__ void adagrad_rows(float* table, float* accumulator, std::uint32_t dim, const std::uint32_t* ids,
                             const float* grads, const std::uint32_t* count, AdagradStep c,
                             const unsigned int* skip) {
  if (skip != nullptr && *skip != 0) return;
  const std::size_t total = std::size_t{*count} * dim;
  for (std::size_t t = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; t < total;
       t += std::size_t{gridDim.x} * blockDim.x) {
    const std::size_t at = std::size_t{ids[t / dim]} * dim + t % dim;
    adagrad_element(c, table[at], grads[t], accumulator[at]);
  }
}

// One step's constants made on the host (the trainer's Optimizer: schedule, ranges, L2).
inline void adam_update(float* params, const float* grads, float* m, float* v, std::size_t n, const AdamStep& s,
                        cudaStream_t stream, const unsigned int* skip = nullptr) {
  MMN_LAUNCH(adam_dense, dim3(optimizer_blocks(n)), dim3(kOptimizerThreads), 0, stream, params, grads, m, v, n, s,
             skip);
}

inline void adagrad_update(float* params, const float* grads, float* accumulator, std::size_t n, const AdagradStep& s,
                           cudaStream_t stream, const unsigned int* skip = nullptr) {
  MMN_LAUNCH(adagrad_dense, dim3(optimizer_blocks(n)), dim3(kOptimizerThreads), 0, stream, params, grads, accumulator,
             n, s, skip);
}

inline void adam_update(float* params, const float* grads, float* m, float* v, std::size_t n, const AdamHyper& c,
                        std::uint64_t step, cudaStream_t stream) {
  adam_update(params, grads, m, v, n, adam_step(c, step), stream);
}

inline void adagrad_update(float* params, const float* grads, float* accumulator, std::size_t n, const AdagradHyper& c,
                           cudaStream_t stream) {
  adagrad_update(params, grads, accumulator, n, adagrad_step(c), stream);
}

// The sparse updates: ids (unique, each < the table's vocabulary) and grads (max_rows x dim)
// as embedding_backward writes them, *count <= max_rows on the device; max_rows sizes the grid.
inline void adam_update_rows(float* table, float* m, float* v, std::uint32_t dim, const std::uint32_t* ids,
                             const float* grads, const std::uint32_t* count, std::uint32_t max_rows, const AdamStep& s,
                             cudaStream_t stream, const unsigned int* skip = nullptr) {
  MMN_LAUNCH(adam_rows, dim3(optimizer_blocks(std::size_t{max_rows} * dim)), dim3(kOptimizerThreads), 0, stream, table,
             m, v, dim, ids, grads, count, s, skip);
}

inline void adagrad_update_rows(float* table, float* accumulator, std::uint32_t dim, const std::uint32_t* ids,
                                const float* grads, const std::uint32_t* count, std::uint32_t max_rows,
                                const AdagradStep& s, cudaStream_t stream, const unsigned int* skip = nullptr) {
  MMN_LAUNCH(adagrad_rows, dim3(optimizer_blocks(std::size_t{max_rows} * dim)), dim3(kOptimizerThreads), 0, stream,
             table, accumulator, dim, ids, grads, count, s, skip);
}

inline void adam_update_rows(float* table, float* m, float* v, std::uint32_t dim, const std::uint32_t* ids,
                             const float* grads, const std::uint32_t* count, std::uint32_t max_rows, const AdamHyper& c,
                             std::uint64_t step, cudaStream_t stream) {
  adam_update_rows(table, m, v, dim, ids, grads, count, max_rows, adam_step(c, step), stream);
}

inline void adagrad_update_rows(float* table, float* accumulator, std::uint32_t dim, const std::uint32_t* ids,
                                const float* grads, const std::uint32_t* count, std::uint32_t max_rows,
                                const AdagradHyper& c, cudaStream_t stream) {
  adagrad_update_rows(table, accumulator, dim, ids, grads, count, max_rows, adagrad_step(c), stream);
}

}  // namespace mmn::kernels
