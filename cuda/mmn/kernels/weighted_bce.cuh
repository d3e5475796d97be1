#pragma once
// The MMN loss on the device: the same definition as the CPU op (host/mmn/ops/weighted_bce.h).
//   count_loss_rows: N^d, the rows of each domain that enter L_cvr (all rows in ctcvr mode,
//      clicked rows in clicked mode), counted in shared memory per block and merged with
//      integer atomics (exact, so deterministic).
//   weighted_bce: per row dL/da and dL/db with the per-domain scales that loss_scales (host)
//      makes of the counts, and per block the loss sums reduced in a fixed tree;
//      sum_block_losses adds the blocks' sums in a fixed order. No float atomics: the result
//      does not depend on scheduling.
// Arithmetic is fp32 (the CPU reference uses doubles): log-sigmoid forms keep it finite for
// logits of +-100.
#include <cstdint>
#include <stdexcept>

#include "mmn/device/kernel_api.h"

namespace mmn::kernels {

constexpr unsigned kBceThreads = 256;      // threads per block of every kernel here
constexpr unsigned kBceMaxBlocks = 1024;   // the last pass reduces at most this many block sums
constexpr unsigned kHistogramMaxDomains = 8192;  // shared memory: 4 bytes per domain

struct BceParams {
  bool clicked_mode = false;  // CvrMode::clicked
  float cvr_weight = 1.0f;    // lambda
  float ctr_scale = 0.0f;     // 1 / N of L_ctr (the global batch's)
};

__host__ __device__ inline unsigned bce_blocks(std::uint32_t rows) {
  const unsigned blocks = (rows + kBceThreads - 1) / kBceThreads;
  return blocks == 0 ? 1u : (blocks < kBceMaxBlocks ? blocks : kBceMaxBlocks);
}

// counts[d] += N^d for d < n_domains; counts[n_domains] += N.
static __global__ void loss_row_histogram(const std::uint8_t* click, const std::uint32_t* domain, std::uint32_t rows,
                                   std::uint32_t n_domains, bool clicked_mode, unsigned long long* counts) {
  MMN_DYNAMIC_SHARED(unsigned int, local);
  for (std::uint32_t d = threadIdx.x; d < n_domains; d += blockDim.x) local[d] = 0;
  __syncthreads();
  unsigned int mine = 0;
  for (std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < rows; i += gridDim.x * blockDim.x) {
    if (clicked_mode && click[i] == 0) continue;
    atomicAdd(&local[domain[i]], 1u);
    ++mine;
  }
  __syncthreads();
  for (std::uint32_t d = threadIdx.x; d < n_domains; d += blockDim.x)
    if (local[d] != 0) atomicAdd(&counts[d], static_cast<unsigned long long>(local[d]));
  if (mine != 0) atomicAdd(&counts[n_domains], static_cast<unsigned long long>(mine));
}

__device__ inline float bce_softplus(float x) { return x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x)); }
__device__ inline float bce_sigmoid(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  const float e = expf(x);
  return e / (1.0f + e);
}
__device__ inline float bce_log_sum_exp3(float x, float y, float z) {
  const float m = fmaxf(x, fmaxf(y, z));
  return m + logf(expf(x - m) + expf(y - m) + expf(z - m));
}

// Sums v over the block's kBceThreads threads into slot[0]; every thread must call it.
__device__ inline void bce_block_sum(float* slot, float v) {
  slot[threadIdx.x] = v;
  __syncthreads();
  for (unsigned stride = kBceThreads / 2; stride > 0; stride >>= 1) {
    if (threadIdx.x < stride) slot[threadIdx.x] += slot[threadIdx.x + stride];
    __syncthreads();
  }
}

// d_ctr[i], d_cvr[i] for every row; block_sums[2 b] and [2 b + 1]: block b's share of L_ctr
// and L_cvr. cvr_scale[d]: the CVR loss scale of domain d's rows (0: the domain is not in it).
static __global__ void weighted_bce_rows(const float* ctr_logit, const float* cvr_logit, const std::uint8_t* click,
                                  const std::uint8_t* conv, const std::uint32_t* domain, std::uint32_t rows,
                                  const float* cvr_scale, BceParams p, float* d_ctr, float* d_cvr,
                                  float* block_sums) {
  __shared__ float slot[kBceThreads];
  const float ctr_scale = p.ctr_scale;
  float ctr_sum = 0.0f, cvr_sum = 0.0f;
  for (std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < rows; i += gridDim.x * blockDim.x) {
    const float a = ctr_logit[i], b = cvr_logit[i];
    const float c = click[i] != 0 ? 1.0f : 0.0f;
    const bool converted = conv[i] != 0;
    ctr_sum += (bce_softplus(a) - c * a) * ctr_scale;
    // sigmoid(x) - 1 = -sigmoid(-x): no cancellation where the logit is confidently right.
    float grad_a = (click[i] != 0 ? -bce_sigmoid(-a) : bce_sigmoid(a)) * ctr_scale;
    float grad_b = 0.0f;
    const float scale = cvr_scale[domain[i]];
    if ((!p.clicked_mode || click[i] != 0) && scale > 0.0f) {
      if (p.clicked_mode) {
        cvr_sum += (bce_softplus(b) - (converted ? b : 0.0f)) * scale;
        grad_b = (converted ? -bce_sigmoid(-b) : bce_sigmoid(b)) * scale * p.cvr_weight;
      } else {
        const float sa = bce_softplus(-a), sb = bce_softplus(-b);
        const float lse = bce_log_sum_exp3(-a, -b, -a - b);
        cvr_sum += (converted ? sa + sb : sa + sb - lse) * scale;
        const float ga = converted ? -bce_sigmoid(-a) : expf(-bce_softplus(a) - lse);
        const float gb = converted ? -bce_sigmoid(-b) : expf(-bce_softplus(b) - lse);
        grad_a += ga * scale * p.cvr_weight;
        grad_b = gb * scale * p.cvr_weight;
      }
    }
    d_ctr[i] = grad_a;
    d_cvr[i] = grad_b;
  }
  bce_block_sum(slot, ctr_sum);
  if (threadIdx.x == 0) block_sums[2 * blockIdx.x] = slot[0];
  __syncthreads();
  bce_block_sum(slot, cvr_sum);
  if (threadIdx.x == 0) block_sums[2 * blockIdx.x + 1] = slot[0];
}

// loss[0] = L_ctr + lambda L_cvr, loss[1] = L_ctr, loss[2] = L_cvr; one block.
static __global__ void sum_block_losses(const float* block_sums, unsigned blocks, float cvr_weight, float* loss) {
  __shared__ float slot[kBceThreads];
  float ctr = 0.0f, cvr = 0.0f;
  for (unsigned b = threadIdx.x; b < blocks; b += blockDim.x) {
    ctr += block_sums[2 * b];
    cvr += block_sums[2 * b + 1];
  }
  bce_block_sum(slot, ctr);
  const float ctr_total = slot[0];
  __syncthreads();
  bce_block_sum(slot, cvr);
  if (threadIdx.x == 0) {
    loss[0] = ctr_total + cvr_weight * slot[0];
    loss[1] = ctr_total;
    loss[2] = slot[0];
  }
}

// Device pointers of one loss evaluation.
struct WeightedBceArgs {
  const float* ctr_logit = nullptr;
  const float* cvr_logit = nullptr;
  const std::uint8_t* click = nullptr;
  const std::uint8_t* conv = nullptr;
  const std::uint32_t* domain = nullptr;
  std::uint32_t rows = 0;
  const float* cvr_scale = nullptr;  // one per domain
  BceParams params;
  float* d_ctr = nullptr;
  float* d_cvr = nullptr;
  float* block_sums = nullptr;  // 2 * bce_blocks(rows)
  float* loss = nullptr;        // 3: total, ctr, cvr
};

static __global__ void zero_counts(unsigned long long* counts, std::uint32_t n) {
  for (std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) counts[i] = 0;
}

// counts[d] = N^d for d < n_domains, counts[n_domains] = N (n_domains + 1 slots).
inline void count_loss_rows(const std::uint8_t* click, const std::uint32_t* domain, std::uint32_t rows,
                            std::uint32_t n_domains, bool clicked_mode, unsigned long long* counts,
                            cudaStream_t stream) {
  if (n_domains > kHistogramMaxDomains) throw std::invalid_argument("count_loss_rows: more domains than the histogram holds");
  MMN_LAUNCH(zero_counts, dim3(1), dim3(kBceThreads), 0, stream, counts, n_domains + 1);
  MMN_LAUNCH(loss_row_histogram, dim3(bce_blocks(rows)), dim3(kBceThreads), n_domains * sizeof(unsigned int), stream,
             click, domain, rows, n_domains, clicked_mode, counts);
}

// Per-row gradients, block sums, the total.
inline void weighted_bce(const WeightedBceArgs& a, cudaStream_t stream) {
  const unsigned blocks = bce_blocks(a.rows);
  MMN_LAUNCH(weighted_bce_rows, dim3(blocks), dim3(kBceThreads), 0, stream, a.ctr_logit, a.cvr_logit, a.click, a.conv,
             a.domain, a.rows, a.cvr_scale, a.params, a.d_ctr, a.d_cvr, a.block_sums);
  MMN_LAUNCH(sum_block_losses, dim3(1), dim3(kBceThreads), 0, stream, static_cast<const float*>(a.block_sums), blocks,
             a.params.cvr_weight, a.loss);
}

}  // namespace mmn::kernels
