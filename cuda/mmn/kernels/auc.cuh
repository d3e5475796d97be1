#pragma once
// AUC on the device, the same figure as the CPU metric (host/mmn/metrics/auc.h): the
// probability that a positive scores above a negative, ties counting one half; NaN with no
// positives or no negatives (or no rows).
//   1. auc_sort_keys: each score as an order-preserving unsigned key (-0 as +0, so the two
//      tie), sorted with its label by sort_pairs_by_key (embedding.cuh; stable LSD radix).
//   2. auc_flags + two exclusive scans: the negatives before each position, and each tie
//      group's number (a group starts where the key changes).
//   3. auc_group_starts, then auc_group_pairs: per tie group with pos positives and neg
//      negatives, below = the negatives before it: 2 * pairs = pos * (2 * below + neg),
//      in integers; a fixed tree per block, the blocks added by auc_finish.
//   4. auc_finish: pairs / (positives * negatives) in double, as the CPU does: every count is
//      an exact integer, so the result is the CPU's to the last bit.
// Scores must not be NaN (the CPU's sort is undefined for them too).
#include <cstdint>
#include <stdexcept>

#include "mmn/device/device_buffer.h"
#include "mmn/device/kernel_api.h"
#include "mmn/kernels/embedding.cuh"
#include "mmn/kernels/routing.cuh"

namespace mmn::kernels {

constexpr unsigned kAucThreads = 256;
constexpr unsigned kAucMaxBlocks = 1024;

inline unsigned auc_blocks(std::uint32_t n) {
  const unsigned blocks = (n + kAucThreads - 1) / kAucThreads;
  return blocks == 0 ? 1u : (blocks < kAucMaxBlocks ? blocks : kAucMaxBlocks);
}

// Ascending keys for ascending floats: negatives bit-flipped, positives with the sign bit set.
__device__ inline std::uint32_t score_sort_key(float score) {
  const std::uint32_t bits = score == 0.0f ? 0u : __float_as_uint(score);
  return (bits & 0x80000000u) != 0 ? ~bits : bits | 0x80000000u;
}

static __global__ void auc_sort_keys(const float* scores, const std::uint8_t* labels, std::uint32_t n, std::uint32_t* keys,
                              std::uint32_t* positive) {
  for (std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) {
    keys[i] = score_sort_key(scores[i]);
    positive[i] = labels[i] != 0 ? 1u : 0u;
  }
}

// negative[k] = 1 for a negative; group_head[k] = 1 where a tie group starts.
static __global__ void auc_flags(const std::uint32_t* sorted_keys, const std::uint32_t* sorted_positive, std::uint32_t n,
                          std::uint32_t* negative, std::uint32_t* group_head) {
  for (std::uint32_t k = blockIdx.x * blockDim.x + threadIdx.x; k < n; k += gridDim.x * blockDim.x) {
    negative[k] = 1u - sorted_positive[k];
    group_head[k] = k == 0 || sorted_keys[k] != sorted_keys[k - 1] ? 1u : 0u;
  }
}

// starts[g] = the first position of group g (group_of as the scan leaves it); starts[groups] = n.
static __global__ void auc_group_starts(const std::uint32_t* sorted_keys, const std::uint32_t* group_of, std::uint32_t n,
                                 std::uint32_t* starts) {
  for (std::uint32_t k = blockIdx.x * blockDim.x + threadIdx.x; k < n; k += gridDim.x * blockDim.x) {
    const bool head = k == 0 || sorted_keys[k] != sorted_keys[k - 1];
    if (head) starts[group_of[k]] = k;
    if (k == n - 1) starts[group_of[k] + (head ? 1u : 0u)] = n;
  }
}

// block_pairs[b] = block b's share of 2 * (the pairs a positive wins, ties one half).
// totals[0] = the groups, totals[1] = the negatives.
static __global__ void auc_group_pairs(const std::uint32_t* starts, const std::uint32_t* negatives_before,
                                const std::uint32_t* totals, std::uint32_t n, unsigned long long* block_pairs) {
  __shared__ unsigned long long slot[kAucThreads];
  const std::uint32_t groups = totals[0], negatives = totals[1];
  unsigned long long twice = 0;
  for (std::uint32_t g = blockIdx.x * blockDim.x + threadIdx.x; g < groups; g += gridDim.x * blockDim.x) {
    const std::uint32_t begin = starts[g], end = starts[g + 1];
    const std::uint32_t below = negatives_before[begin];
    const std::uint32_t neg = (end < n ? negatives_before[end] : negatives) - below;
    const std::uint32_t pos = end - begin - neg;
    twice += static_cast<unsigned long long>(pos) * (2ull * below + neg);
  }
  slot[threadIdx.x] = twice;
  __syncthreads();
  for (unsigned stride = kAucThreads / 2; stride > 0; stride >>= 1) {
    if (threadIdx.x < stride) slot[threadIdx.x] += slot[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) block_pairs[blockIdx.x] = slot[0];
}

static __global__ void auc_finish(const unsigned long long* block_pairs, unsigned blocks, const std::uint32_t* totals,
                           std::uint32_t n, double* result) {
  if (threadIdx.x != 0) return;
  unsigned long long twice = 0;
  for (unsigned b = 0; b < blocks; ++b) twice += block_pairs[b];
  const std::uint32_t negatives = n == 0 ? 0u : totals[1];
  const std::uint32_t positives = n - negatives;
  *result = positives == 0 || negatives == 0
                ? __longlong_as_double(0x7ff8000000000000LL)
                : 0.5 * static_cast<double>(twice) / (static_cast<double>(positives) * static_cast<double>(negatives));
}

// The device memory of one AUC over up to n rows.
struct AucWorkspace {
  explicit AucWorkspace(std::uint32_t n)
      : sort(n), keys(n), positive(n), negatives_before(n), group_of(n), starts(std::size_t{n} + 1), totals(2),
        block_pairs(kAucMaxBlocks) {}
  SortWorkspace sort;
  DeviceBuffer<std::uint32_t> keys, positive, negatives_before, group_of, starts, totals;
  DeviceBuffer<unsigned long long> block_pairs;
};

// *result = the AUC of n scores (device pointers), a double on the device.
inline void auc(const float* scores, const std::uint8_t* labels, std::uint32_t n, AucWorkspace& w, double* result,
                cudaStream_t stream) {
  if (n > w.keys.size())
    throw std::invalid_argument("auc: " + std::to_string(n) + " rows into a workspace of " + std::to_string(w.keys.size()));
  const unsigned blocks = auc_blocks(n);
  if (n > 0) {
    MMN_LAUNCH(auc_sort_keys, dim3(blocks), dim3(kAucThreads), 0, stream, scores, labels, n, w.keys.data(),
               w.positive.data());
    const SortPairsArgs s = w.sort.args(w.keys.data(), w.positive.data(), n, 32);
    sort_pairs_by_key(s, stream);
    MMN_LAUNCH(auc_flags, dim3(blocks), dim3(kAucThreads), 0, stream, static_cast<const std::uint32_t*>(s.keys_out),
               static_cast<const std::uint32_t*>(s.values_out), n, w.negatives_before.data(), w.group_of.data());
    MMN_LAUNCH(exclusive_scan_one_block, dim3(1), dim3(kScanThreads), 0, stream,
               static_cast<const std::uint32_t*>(w.group_of.data()), n, w.group_of.data(), w.totals.data());
    MMN_LAUNCH(exclusive_scan_one_block, dim3(1), dim3(kScanThreads), 0, stream,
               static_cast<const std::uint32_t*>(w.negatives_before.data()), n, w.negatives_before.data(),
               w.totals.data() + 1);
    MMN_LAUNCH(auc_group_starts, dim3(blocks), dim3(kAucThreads), 0, stream,
               static_cast<const std::uint32_t*>(s.keys_out), static_cast<const std::uint32_t*>(w.group_of.data()), n,
               w.starts.data());
    MMN_LAUNCH(auc_group_pairs, dim3(blocks), dim3(kAucThreads), 0, stream,
               static_cast<const std::uint32_t*>(w.starts.data()),
               static_cast<const std::uint32_t*>(w.negatives_before.data()),
               static_cast<const std::uint32_t*>(w.totals.data()), n, w.block_pairs.data());
  }
  MMN_LAUNCH(auc_finish, dim3(1), dim3(32), 0, stream, static_cast<const unsigned long long*>(w.block_pairs.data()),
             n > 0 ? blocks : 0u, static_cast<const std::uint32_t*>(w.totals.data()), n, result);
}

}  // namespace mmn::kernels
