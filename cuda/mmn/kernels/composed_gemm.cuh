#pragma once
// The grouped composed tower layer on the device, the same op as host/mmn/ops/composed_layer.h.
// Rows arrive routed (routing.cuh): tile t of the tile table is rows [row_begin, row_end) of
// one domain d, whose weights W_d = W ⊙ Wt[t] ⊙ Ws[s] (or the sum; any enabled groups) are
// never materialised: each K x N weight tile is composed while it is loaded into shared memory.
//
//   forward:   y = act(x W_d + b_d), x rows gathered through `order` while loading (layer 1)
//              or already routed; the epilogue adds the composed bias and applies ReLU.
//   backward:  dz = dy masked by ReLU; dx = dz W_d^T with the same tiling; the weight and bias
//              gradients G_d = x_d^T dz_d folded into every group, e.g. dWt[t] += G_d ⊙ W ⊙ Ws[s],
//              deterministic (the default): one block owns a K x N tile of every group's gradient and
//              walks the domains in order, so no two blocks write one element and sums have a fixed
//              order; or fast (FoldMode::atomic): a block per row tile and gradient tile, float atomics.
//
// The layer is the host op's descriptor (ComposedLayer, host/mmn/ops/composed_layer_desc.h;
// its `packed` buffer is unused here) with the DomainGrid that maps a domain to its groups' sets.
//
// Tiles (fp32 SIMT, no tensor cores): 64 x 64 outputs per block of 256 threads, each thread a
// 4 x 4 register tile, K in steps of 16; shared memory 2 x 16 x 64 floats = 8 KiB, so several
// blocks fit an SM on Ampere (164 KiB) and Hopper (228 KiB) and the 64-row tile matches the
// routing tile, which bounds the padding waste of small domains to one partial tile each.
// The fold: 32 x 32 gradient elements per block, rows staged 16 at a time.
#include <cstdint>
#include <stdexcept>

#include "mmn/device/kernel_api.h"
#include "mmn/kernels/fold_split.cuh"
#include "mmn/kernels/routing.cuh"
#include "mmn/ops/composed_layer_desc.h"

namespace mmn::kernels {

constexpr unsigned kGemmTileM = 64;  // rows per tile: RouteArgs::tile_rows must equal it
constexpr unsigned kGemmTileN = 64;
constexpr unsigned kGemmTileK = 16;
constexpr unsigned kGemmThreads = 256;
constexpr unsigned kFoldTile = 32;
constexpr unsigned kFoldRows = 16;
__device__ inline float composed_weight(const ComposedLayer& l, const DomainGrid& grid, std::uint32_t d,
                                        std::uint32_t k, std::uint32_t n) {
  const bool product = l.composition == Composition::product;
  float v = product ? 1.0f : 0.0f;
  for (int g = 0; g < kParamGroups; ++g) {
    if (l.weight[g] == nullptr) continue;
    const float w = l.weight[g][(static_cast<std::size_t>(grid.set_of(g, d)) * l.in + k) * l.out + n];
    v = product ? v * w : v + w;
  }
  return v;
}

__device__ inline float composed_bias(const ComposedLayer& l, const DomainGrid& grid, std::uint32_t d,
                                      std::uint32_t n) {
  float v = 0.0f;
  for (int g = 0; g < kParamGroups; ++g)
    if (l.bias[g] != nullptr) v += l.bias[g][static_cast<std::size_t>(grid.set_of(g, d)) * l.out + n];
  return v;
}

// Input k of the tile's row m (through `order` when not null), 0 past the tile's rows or the inputs.
__device__ inline float tile_input(const ComposedLayer& l, const RouteTile& tile, const std::uint32_t* order,
                                   const float* x, std::uint32_t m, std::uint32_t k) {
  if (m >= tile.row_end - tile.row_begin || k >= l.in) return 0.0f;
  const std::uint32_t r = tile.row_begin + m;
  return x[static_cast<std::size_t>(order != nullptr ? order[r] : r) * l.in + k];
}

// acc (this thread's 4 x 4 outputs: rows ty*4.., columns tx*4..) += a_tile^T b_tile over the
// tiles' K steps.
__device__ inline void multiply_tiles(const float (&a_tile)[kGemmTileK][kGemmTileM],
                                      const float (&b_tile)[kGemmTileK][kGemmTileN], unsigned tx, unsigned ty,
                                      float (&acc)[4][4]) {
  for (unsigned kk = 0; kk < kGemmTileK; ++kk) {
    float a[4], b[4];
    for (int i = 0; i < 4; ++i) a[i] = a_tile[kk][ty * 4 + i];
    for (int j = 0; j < 4; ++j) b[j] = b_tile[kk][tx * 4 + j];
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) acc[i][j] += a[i] * b[j];
  }
}

// Launch grid (max tiles, ceil(out / kGemmTileN)); blocks past *tile_count exit at once.
static __global__ void composed_forward_kernel(ComposedLayer l, DomainGrid grid, const RouteTile* table,
                                               const std::uint32_t* tile_count, const std::uint32_t* order,
                                               const float* x, float* y) {
  if (blockIdx.x >= *tile_count) return;
  __shared__ float a_tile[kGemmTileK][kGemmTileM];
  __shared__ float b_tile[kGemmTileK][kGemmTileN];
  const RouteTile tile = table[blockIdx.x];
  const std::uint32_t rows = tile.row_end - tile.row_begin;
  const std::uint32_t n0 = blockIdx.y * kGemmTileN;
  const unsigned tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  float acc[4][4] = {};
  for (std::uint32_t k0 = 0; k0 < l.in; k0 += kGemmTileK) {
    for (unsigned i = threadIdx.x; i < kGemmTileM * kGemmTileK; i += kGemmThreads) {
      const unsigned m = i / kGemmTileK, kk = i % kGemmTileK;
      a_tile[kk][m] = tile_input(l, tile, order, x, m, k0 + kk);
    }
    for (unsigned i = threadIdx.x; i < kGemmTileK * kGemmTileN; i += kGemmThreads) {
      const unsigned kk = i / kGemmTileN, nn = i % kGemmTileN;
      b_tile[kk][nn] =
          (k0 + kk < l.in && n0 + nn < l.out) ? composed_weight(l, grid, tile.domain, k0 + kk, n0 + nn) : 0.0f;
    }
    __syncthreads();
    multiply_tiles(a_tile, b_tile, tx, ty, acc);
    __syncthreads();
  }
  for (int i = 0; i < 4; ++i) {
    const std::uint32_t m = ty * 4 + i;
    if (m >= rows) continue;
    for (int j = 0; j < 4; ++j) {
      const std::uint32_t n = n0 + tx * 4 + j;
      if (n >= l.out) continue;
      float v = acc[i][j] + composed_bias(l, grid, tile.domain, n);
      if (l.relu && v < 0.0f) v = 0.0f;
      y[static_cast<std::size_t>(tile.row_begin + m) * l.out + n] = v;
    }
  }
}

// dy[i] = 0 where y[i] <= 0: dL/dy becomes dL/dz.
static __global__ void relu_mask_kernel(const float* y, std::size_t size, float* dy) {
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < size;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x)
    if (y[i] <= 0.0f) dy[i] = 0.0f;
}

// dx = dz W_d^T for routed rows; launch grid (max tiles, ceil(in / kGemmTileN)).
static __global__ void composed_dx_kernel(ComposedLayer l, DomainGrid grid, const RouteTile* table,
                                          const std::uint32_t* tile_count, const float* dz, float* dx) {
  if (blockIdx.x >= *tile_count) return;
  __shared__ float a_tile[kGemmTileK][kGemmTileM];
  __shared__ float b_tile[kGemmTileK][kGemmTileN];
  const RouteTile tile = table[blockIdx.x];
  const std::uint32_t rows = tile.row_end - tile.row_begin;
  const std::uint32_t k0 = blockIdx.y * kGemmTileN;  // columns of dx are rows of W_d
  const unsigned tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  float acc[4][4] = {};
  for (std::uint32_t n0 = 0; n0 < l.out; n0 += kGemmTileK) {
    for (unsigned i = threadIdx.x; i < kGemmTileM * kGemmTileK; i += kGemmThreads) {
      const unsigned m = i / kGemmTileK, nn = i % kGemmTileK;
      a_tile[nn][m] =
          (m < rows && n0 + nn < l.out) ? dz[static_cast<std::size_t>(tile.row_begin + m) * l.out + n0 + nn] : 0.0f;
    }
    for (unsigned i = threadIdx.x; i < kGemmTileK * kGemmTileN; i += kGemmThreads) {
      const unsigned kk = i % kGemmTileN, nn = i / kGemmTileN;
      b_tile[nn][kk] =
          (k0 + kk < l.in && n0 + nn < l.out) ? composed_weight(l, grid, tile.domain, k0 + kk, n0 + nn) : 0.0f;
    }
    __syncthreads();
    multiply_tiles(a_tile, b_tile, tx, ty, acc);
    __syncthreads();
  }
  for (int i = 0; i < 4; ++i) {
    const std::uint32_t m = ty * 4 + i;
    if (m >= rows) continue;
    for (int j = 0; j < 4; ++j) {
      const std::uint32_t k = k0 + tx * 4 + j;
      if (k < l.in) dx[static_cast<std::size_t>(tile.row_begin + m) * l.in + k] = acc[i][j];
    }
  }
}

// Adds G[k][n] of domain d into every enabled group's gradient: group h receives G times the
// other groups' weights (product) or G itself (sum); with Atomic, by float atomics.
template <bool Atomic>
__device__ inline void fold_element(const ComposedLayer& l, const DomainGrid& grid, const ComposedLayerGrad& grad,
                                    std::uint32_t d, std::uint32_t k, std::uint32_t n, float g) {
  if (k >= l.in || n >= l.out) return;
  std::size_t at[kParamGroups] = {};
  float w[kParamGroups] = {};
  const bool product = l.composition == Composition::product;
  for (int h = 0; h < kParamGroups; ++h) {
    if (l.weight[h] == nullptr) continue;
    at[h] = (static_cast<std::size_t>(grid.set_of(h, d)) * l.in + k) * l.out + n;
    w[h] = l.weight[h][at[h]];
  }
  for (int h = 0; h < kParamGroups; ++h) {
    if (l.weight[h] == nullptr) continue;
    float v = g;
    if (product)
      for (int o = 0; o < kParamGroups; ++o)
        if (o != h && l.weight[o] != nullptr) v *= w[o];
    if (Atomic) {
      atomicAdd(&grad.weight[h][at[h]], v);
    } else {
      grad.weight[h][at[h]] += v;
    }
  }
}

// G = x^T dz over routed rows [begin, end) of domain d, on the block's 32 x 32 tile (k0, n0),
// folded into every group's weight gradient; with bias_block also the bias gradient of the
// tile's columns. Rows are staged 16 at a time; 256 threads, 2 x 2 elements each. Every thread
// of the block must call it (it has barriers).
template <bool Atomic>
__device__ inline void fold_rows(const ComposedLayer& l, const DomainGrid& grid, const ComposedLayerGrad& grad,
                                 std::uint32_t d, std::uint32_t begin, std::uint32_t end, std::uint32_t k0,
                                 std::uint32_t n0, bool bias_block, const float* x, const float* dz) {
  __shared__ float x_rows[kFoldRows][kFoldTile];
  __shared__ float dz_rows[kFoldRows][kFoldTile];
  const unsigned tx = threadIdx.x % 16, ty = threadIdx.x / 16;
  float g[2][2] = {};
  float bias_sum = 0.0f;
  for (std::uint32_t r0 = begin; r0 < end; r0 += kFoldRows) {
    for (unsigned i = threadIdx.x; i < kFoldRows * kFoldTile; i += kGemmThreads) {
      const unsigned rr = i / kFoldTile, c = i % kFoldTile;
      const bool row_ok = r0 + rr < end;
      x_rows[rr][c] = row_ok && k0 + c < l.in ? x[static_cast<std::size_t>(r0 + rr) * l.in + k0 + c] : 0.0f;
      dz_rows[rr][c] = row_ok && n0 + c < l.out ? dz[static_cast<std::size_t>(r0 + rr) * l.out + n0 + c] : 0.0f;
    }
    __syncthreads();
    for (unsigned rr = 0; rr < kFoldRows; ++rr)
      for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) g[i][j] += x_rows[rr][ty * 2 + i] * dz_rows[rr][tx * 2 + j];
    if (bias_block && threadIdx.x < kFoldTile)
      for (unsigned rr = 0; rr < kFoldRows; ++rr) bias_sum += dz_rows[rr][threadIdx.x];
    __syncthreads();
  }
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) fold_element<Atomic>(l, grid, grad, d, k0 + ty * 2 + i, n0 + tx * 2 + j, g[i][j]);
  if (!bias_block || threadIdx.x >= kFoldTile || n0 + threadIdx.x >= l.out) return;
  for (int h = 0; h < kParamGroups; ++h) {
    if (l.bias[h] == nullptr) continue;
    float* at = &grad.bias[h][static_cast<std::size_t>(grid.set_of(h, d)) * l.out + n0 + threadIdx.x];
    if (Atomic) {
      atomicAdd(at, bias_sum);
    } else {
      *at += bias_sum;
    }
  }
}

// One block per 32 x 32 tile (k, n) of the weight gradients and part of the rows (fold_split.cuh):
// for each domain in order, G = x_d^T dz_d over the part's rows of d on the tile, folded into
// every enabled group of the part's gradients; blocks of the first k tile also fold the bias
// gradient of their columns. 256 threads, 2 x 2 elements each.
// Launch grid (ceil(in / 32), ceil(out / 32), split.parts).
static __global__ void composed_fold_kernel(ComposedLayer l, DomainGrid grid, ComposedLayerGrad grad,
                                            const std::uint32_t* offsets, std::uint32_t n_domains, const float* x,
                                            const float* dz, FoldSplit split, std::uint32_t rows) {
  const std::uint32_t k0 = blockIdx.x * kFoldTile, n0 = blockIdx.y * kFoldTile;
  const bool bias_block = blockIdx.x == 0;
  const ComposedLayerGrad part = fold_part_grad(grad, split, blockIdx.z);
  const std::uint32_t lo = fold_part_begin(rows, split.parts, blockIdx.z);
  const std::uint32_t hi = fold_part_begin(rows, split.parts, blockIdx.z + 1);
  for (std::uint32_t d = 0; d < n_domains; ++d) {
    const std::uint32_t begin = offsets[d] > lo ? offsets[d] : lo, end = offsets[d + 1] < hi ? offsets[d + 1] : hi;
    if (begin >= end) continue;  // the same for every thread of the block
    fold_rows<false>(l, grid, part, d, begin, end, k0, n0, bias_block, x, dz);
  }
}

// The fast variant: one block per (row tile, 32 x 32 gradient tile), launch grid (max tiles,
// ceil(in / 32) * ceil(out / 32)); G of the tile's rows folded with float atomics, so the sums'
// order, and their last bits, depend on scheduling. More parallel than the deterministic fold.
static __global__ void composed_fold_atomic_kernel(ComposedLayer l, DomainGrid grid, ComposedLayerGrad grad,
                                                   const RouteTile* table, const std::uint32_t* tile_count,
                                                   const float* x, const float* dz) {
  if (blockIdx.x >= *tile_count) return;
  const RouteTile tile = table[blockIdx.x];
  const std::uint32_t k_tiles = (l.in + kFoldTile - 1) / kFoldTile;
  const std::uint32_t k0 = (blockIdx.y % k_tiles) * kFoldTile, n0 = (blockIdx.y / k_tiles) * kFoldTile;
  fold_rows<true>(l, grid, grad, tile.domain, tile.row_begin, tile.row_end, k0, n0, k0 == 0, x, dz);
}

enum class FoldMode { deterministic, atomic };

// Everything one layer's calls need from the routing.
struct ComposedRouting {
  const RouteTile* table = nullptr;
  const std::uint32_t* tile_count = nullptr;
  std::uint32_t max_tiles = 0;             // route_max_tiles(rows, n_domains, kGemmTileM)
  const std::uint32_t* offsets = nullptr;  // n_domains + 1
  const std::uint32_t* order = nullptr;    // rows; used by forward when gather_input
  std::uint32_t rows = 0;
  std::uint32_t n_domains = 0;
};

// dy = 0 where the forward's output y <= 0, over the routed rows; nothing without ReLU.
inline void relu_mask(const ComposedLayer& l, const ComposedRouting& r, const float* y, float* dy,
                      cudaStream_t stream) {
  if (!l.relu) return;
  const std::size_t size = static_cast<std::size_t>(r.rows) * l.out;
  const unsigned blocks = static_cast<unsigned>((size + kGemmThreads - 1) / kGemmThreads);
  MMN_LAUNCH(relu_mask_kernel, dim3(blocks < 4096 ? blocks : 4096), dim3(kGemmThreads), 0, stream, y, size, dy);
}

inline void composed_forward(const ComposedLayer& l, const DomainGrid& grid, const ComposedRouting& r,
                             bool gather_input, const float* x, float* y, cudaStream_t stream) {
  if (r.max_tiles == 0 || l.out == 0) return;
  const dim3 blocks(r.max_tiles, (l.out + kGemmTileN - 1) / kGemmTileN);
  MMN_LAUNCH(composed_forward_kernel, blocks, dim3(kGemmThreads), 0, stream, l, grid, r.table, r.tile_count,
             gather_input ? r.order : static_cast<const std::uint32_t*>(nullptr), x, y);
}

// dx (routed rows x in) = dz W_d^T alone.
inline void composed_input_gradient(const ComposedLayer& l, const DomainGrid& grid, const ComposedRouting& r,
                                    const float* dz, float* dx, cudaStream_t stream) {
  const dim3 blocks(r.max_tiles, (l.in + kGemmTileN - 1) / kGemmTileN);
  MMN_LAUNCH(composed_dx_kernel, blocks, dim3(kGemmThreads), 0, stream, l, grid, r.table, r.tile_count, dz, dx);
}

// x routed rows x in (the forward's input, routed), y routed rows x out (the forward's output);
// dy holds dL/dy on entry and dL/dz on return; dx (routed rows x in) is written unless null.
// With fold_scratch (fold_scratch_floats(l, grid, rows, kFoldTile) floats or more), the
// deterministic fold is split over row ranges (fold_split.cuh).
inline void composed_backward(const ComposedLayer& l, const DomainGrid& grid, const ComposedRouting& r, const float* x,
                              const float* y, float* dy, float* dx, const ComposedLayerGrad& grad, cudaStream_t stream,
                              FoldMode fold = FoldMode::deterministic, float* fold_scratch = nullptr) {
  if (r.rows == 0) return;
  relu_mask(l, r, y, dy, stream);
  if (dx != nullptr) composed_input_gradient(l, grid, r, dy, dx, stream);
  const unsigned k_tiles = (l.in + kFoldTile - 1) / kFoldTile, n_tiles = (l.out + kFoldTile - 1) / kFoldTile;
  if (fold == FoldMode::atomic) {
    MMN_LAUNCH(composed_fold_atomic_kernel, dim3(r.max_tiles, k_tiles * n_tiles), dim3(kGemmThreads), 0, stream, l,
               grid, grad, r.table, r.tile_count, x, static_cast<const float*>(dy));
  } else {
    const FoldSplit split = fold_split(l, grid, r.rows, fold_scratch, kFoldTile);
    clear_fold_scratch(split, stream);
    MMN_LAUNCH(composed_fold_kernel, dim3(k_tiles, n_tiles, split.parts), dim3(kGemmThreads), 0, stream, l, grid, grad,
               r.offsets, r.n_domains, x, static_cast<const float*>(dy), split, r.rows);
    sum_fold_parts(grad, split, stream);
  }
}

}  // namespace mmn::kernels
