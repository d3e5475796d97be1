#pragma once
// The deterministic weight-gradient fold split over row ranges, so that a layer with few 32 x 32
// gradient tiles (criteo's first CVR layer, 308 x 256, has 80) still fills the GPU. Part p of P folds the routed
// rows [p R / P, (p + 1) R / P) into its own copy of every gradient array of the layer (scratch
// zeroed first); a second pass adds the P copies into the gradients, in part order. Each element
// is written by one block per part and summed in a fixed order, so the result does not depend on
// scheduling; P depends on the layer's shape and the batch's rows only, not on the device.
#include <cstddef>
#include <cstdint>

#include "mmn/device/kernel_api.h"
#include "mmn/ops/composed_layer_desc.h"

namespace mmn::kernels {

constexpr std::uint32_t kMaxFoldParts = 8;
constexpr std::uint32_t kFoldTargetBlocks = 264;  // two blocks per SM of an H100 (132 SMs)
constexpr std::uint32_t kMinFoldPartRows = 512;   // fewer rows per part would not pay for the second pass
constexpr unsigned kFoldSumThreads = 256;

// Where part p's copy of each gradient array sits in the scratch: the groups' weights in group
// order, then their biases, each run ending where the next begins (a group that is off has an
// empty run).
struct FoldSplit {
  float* scratch = nullptr;  // parts x part_floats; null: one part, folded into the gradients directly
  std::uint32_t parts = 1;
  std::size_t part_floats = 0;
  std::size_t weight_at[kParamGroups] = {};  // offsets within a part
  std::size_t bias_at[kParamGroups] = {};
};

// One part's layout for a layer in x out with the given groups (one part, no scratch).
inline FoldSplit fold_layout(std::uint32_t in, std::uint32_t out, const bool (&groups)[kParamGroups],
                             const DomainGrid& grid) {
  FoldSplit s;
  for (int h = 0; h < kParamGroups; ++h) {
    s.weight_at[h] = s.part_floats;
    if (groups[h]) s.part_floats += std::size_t{grid.sets(h)} * in * out;
  }
  for (int h = 0; h < kParamGroups; ++h) {
    s.bias_at[h] = s.part_floats;
    if (groups[h]) s.part_floats += std::size_t{grid.sets(h)} * out;
  }
  return s;
}

inline FoldSplit fold_layout(const ComposedLayer& l, const DomainGrid& grid) {
  bool groups[kParamGroups] = {};
  for (int h = 0; h < kParamGroups; ++h) groups[h] = l.weight[h] != nullptr;
  return fold_layout(l.in, l.out, groups, grid);
}

// Floats of one part's copy of the layer's weight and bias gradients.
inline std::size_t fold_part_floats(const ComposedLayer& l, const DomainGrid& grid) {
  return fold_layout(l, grid).part_floats;
}

// The part count for `rows` routed rows of a layer in x out: enough blocks for
// kFoldTargetBlocks, at most kMaxFoldParts, at least kMinFoldPartRows rows per part.
inline std::uint32_t fold_parts(std::uint32_t in, std::uint32_t out, std::uint32_t rows, unsigned fold_tile) {
  const std::uint32_t tiles = ((in + fold_tile - 1) / fold_tile) * ((out + fold_tile - 1) / fold_tile);
  std::uint32_t parts = tiles == 0 ? 1 : (kFoldTargetBlocks + tiles - 1) / tiles;
  if (parts > kMaxFoldParts) parts = kMaxFoldParts;
  if (parts > rows / kMinFoldPartRows) parts = rows / kMinFoldPartRows;
  return parts < 1 ? 1 : parts;
}

inline std::uint32_t fold_parts(const ComposedLayer& l, std::uint32_t rows, unsigned fold_tile) {
  return fold_parts(l.in, l.out, rows, fold_tile);
}

// Scratch floats the split fold of a layer needs for batches of up to max_rows rows.
inline std::size_t fold_scratch_floats(const ComposedLayer& l, const DomainGrid& grid, std::uint32_t max_rows,
                                       unsigned fold_tile) {
  const std::uint32_t parts = fold_parts(l, max_rows, fold_tile);
  return parts > 1 ? parts * fold_part_floats(l, grid) : 0;
}

// The split for `rows` rows; one part (no scratch use) when scratch is null or the rows are few.
inline FoldSplit fold_split(const ComposedLayer& l, const DomainGrid& grid, std::uint32_t rows, float* scratch,
                            unsigned fold_tile) {
  const std::uint32_t parts = scratch == nullptr ? 1 : fold_parts(l, rows, fold_tile);
  if (parts == 1) return FoldSplit{};
  FoldSplit s = fold_layout(l, grid);
  s.scratch = scratch;
  s.parts = parts;
  return s;
}

// The first routed row of part p.
MMN_HOST_DEVICE inline std::uint32_t fold_part_begin(std::uint32_t rows, std::uint32_t parts, std::uint32_t p) {
  return static_cast<std::uint32_t>(std::uint64_t{rows} * p / parts);
}

// Part p's gradients: its copy in the scratch, or the layer's gradients with one part.
MMN_HOST_DEVICE inline ComposedLayerGrad fold_part_grad(const ComposedLayerGrad& grad, const FoldSplit& s,
                                                        std::uint32_t p) {
  const bool split = s.scratch != nullptr;
  float* part = split ? s.scratch + std::size_t{p} * s.part_floats : nullptr;
  ComposedLayerGrad g;
  for (int h = 0; h < kParamGroups; ++h) {
    g.weight[h] = !split || grad.weight[h] == nullptr ? grad.weight[h] : part + s.weight_at[h];
    g.bias[h] = !split || grad.bias[h] == nullptr ? grad.bias[h] : part + s.bias_at[h];
  }
  return g;
}

// grad += sum over parts of the part copies, parts in order; one thread per element of a part.
static __global__ void fold_parts_sum_kernel(ComposedLayerGrad grad, FoldSplit s) {
  const std::size_t stride = std::size_t{gridDim.x} * blockDim.x;
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < s.part_floats; i += stride) {
    float sum = 0.0f;
    for (std::uint32_t p = 0; p < s.parts; ++p) sum += s.scratch[std::size_t{p} * s.part_floats + i];
    for (int h = 0; h < kParamGroups; ++h) {  // i - at wraps past the run when i < at
      const bool last = h + 1 == kParamGroups;
      const std::size_t weight_end = last ? s.bias_at[0] : s.weight_at[h + 1];
      const std::size_t bias_end = last ? s.part_floats : s.bias_at[h + 1];
      if (i - s.weight_at[h] < weight_end - s.weight_at[h]) grad.weight[h][i - s.weight_at[h]] += sum;
      if (i - s.bias_at[h] < bias_end - s.bias_at[h]) grad.bias[h][i - s.bias_at[h]] += sum;
    }
  }
}

static __global__ void fold_scratch_zero_kernel(float* scratch, std::size_t n) {
  const std::size_t stride = std::size_t{gridDim.x} * blockDim.x;
  for (std::size_t i = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; i < n; i += stride) scratch[i] = 0.0f;
}

inline unsigned fold_sum_blocks(std::size_t n) {
  const std::size_t blocks = (n + kFoldSumThreads - 1) / kFoldSumThreads;
  return static_cast<unsigned>(blocks < 2048 ? blocks : 2048);
}

// Zeroes the parts' scratch before the fold.
inline void clear_fold_scratch(const FoldSplit& s, cudaStream_t stream) {
  if (s.scratch == nullptr) return;
  const std::size_t n = std::size_t{s.parts} * s.part_floats;
  MMN_LAUNCH(fold_scratch_zero_kernel, dim3(fold_sum_blocks(n)), dim3(kFoldSumThreads), 0, stream, s.scratch, n);
}

// Adds the parts into the gradients after the fold.
inline void sum_fold_parts(const ComposedLayerGrad& grad, const FoldSplit& s, cudaStream_t stream) {
  if (s.scratch == nullptr) return;
  MMN_LAUNCH(fold_parts_sum_kernel, dim3(fold_sum_blocks(s.part_floats)), dim3(kFoldSumThreads), 0, stream, grad, s);
}

}  // namespace mmn::kernels
