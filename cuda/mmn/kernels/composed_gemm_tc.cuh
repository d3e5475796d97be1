#pragma once
// The grouped composed tower layer on the tensor cores (train.precision = "tf32" or "bf16"):
// composed_gemm.cuh's forward, input gradient and deterministic weight-gradient fold with tf32 or
// bf16 operands and fp32 accumulation, through the WMMA API (mmn/device/tensor_core.h).
//
// Every operand is rounded once (mmn/ops/operand_precision.h), as it is staged in shared
// memory: activations and output gradients as they are loaded; each composed weight element
// W ⊙ Wt[t] ⊙ Ws[s] (or the sum) formed in fp32 from the fp32 master weights, then rounded.
// fp32 throughout: biases and the epilogue, the bias gradient (summed from the unrounded dz),
// the fold of G_d into every group, master weights, optimizer state and the loss.
//
// Tiles: 64 x 64 outputs per block of 8 warps (256 threads), the routing's 64-row tile; warp w
// owns rows 16 (w / 2) and columns 32 (w % 2), two 16 x 16 accumulators. K is staged 16 at a
// time (one bf16 k16 step, two tf32 k8 steps); outputs pass through shared memory to the
// epilogue, which handles partial tiles, the bias and ReLU. Rows of every shared tile are
// padded to keep fragments 256-bit aligned and off one bank.
// The fold: one block of 4 warps per 32 x 32 tile of the weight gradients walks the domains in
// order (the sums' order is fixed); G_d = x_d^T dz_d, rows staged 32 at a time, warp w owning
// the 16 x 16 quarter (16 (w / 2), 16 (w % 2)).
#include <cstdint>

#include "mmn/device/tensor_core.h"
#include "mmn/kernels/composed_gemm.cuh"
#include "mmn/ops/operand_precision.h"

namespace mmn::kernels {

constexpr unsigned kTcFoldThreads = 128;
constexpr unsigned kTcFoldRows = 32;

template <Precision P>
struct TensorCoreOperand;

template <>
struct TensorCoreOperand<Precision::bf16> {
  using storage = __nv_bfloat16;
  using fragment_type = __nv_bfloat16;
  static constexpr int k_step = 16;
  static constexpr unsigned pad = 8;  // elements: 16 bytes
  __device__ static storage round(float v) { return __float2bfloat16(v); }
};

template <>
struct TensorCoreOperand<Precision::tf32> {
  using storage = float;
  using fragment_type = nvcuda::wmma::precision::tf32;
  static constexpr int k_step = 8;
  static constexpr unsigned pad = 4;
  __device__ static storage round(float v) { return nvcuda::wmma::__float_to_tf32(v); }
};

template <Precision P>
using TcAccumulator = nvcuda::wmma::fragment<nvcuda::wmma::accumulator, 16, 16, TensorCoreOperand<P>::k_step, float>;

template <Precision P>
struct TcGemmShared {
  using S = typename TensorCoreOperand<P>::storage;
  static constexpr unsigned lda = kGemmTileK + TensorCoreOperand<P>::pad;
  static constexpr unsigned ldb = kGemmTileN + TensorCoreOperand<P>::pad;
  static constexpr unsigned ldc = kGemmTileN + 4;
  alignas(32) S a[kGemmTileM][lda];  // rows x k
  alignas(32) S b[kGemmTileK][ldb];  // k x columns
  alignas(32) float c[kGemmTileM][ldc];
};

template <Precision P>
struct TcFoldShared {
  using S = typename TensorCoreOperand<P>::storage;
  static constexpr unsigned ld = kFoldTile + TensorCoreOperand<P>::pad;
  static constexpr unsigned ldg = kFoldTile + 4;
  alignas(32) S x[kTcFoldRows][ld];   // rows x k: x^T is a column-major A
  alignas(32) S dz[kTcFoldRows][ld];  // rows x n
  alignas(32) float g[kFoldTile][ldg];
};

// acc[j] += a rows [16 (warp / 2), +16) times b columns [32 (warp % 2) + 16 j, +16), over the
// staged K.
template <Precision P>
__device__ inline void tc_multiply_tiles(const TcGemmShared<P>& s, unsigned warp, TcAccumulator<P> (&acc)[2]) {
  namespace wmma = nvcuda::wmma;
  using O = TensorCoreOperand<P>;
  const unsigned r0 = (warp / 2) * 16, c0 = (warp % 2) * 32;
  for (unsigned kk = 0; kk < kGemmTileK; kk += O::k_step) {
    wmma::fragment<wmma::matrix_a, 16, 16, O::k_step, typename O::fragment_type, wmma::row_major> a;
    wmma::load_matrix_sync(a, &s.a[r0][kk], TcGemmShared<P>::lda);
    for (int j = 0; j < 2; ++j) {
      wmma::fragment<wmma::matrix_b, 16, 16, O::k_step, typename O::fragment_type, wmma::row_major> b;
      wmma::load_matrix_sync(b, &s.b[kk][c0 + 16 * j], TcGemmShared<P>::ldb);
      wmma::mma_sync(acc[j], a, b, acc[j]);
    }
  }
}

// The block's 64 x 64 outputs into s.c; every thread must call it (it has a barrier).
template <Precision P>
__device__ inline void tc_store_outputs(TcGemmShared<P>& s, unsigned warp, const TcAccumulator<P> (&acc)[2]) {
  const unsigned r0 = (warp / 2) * 16, c0 = (warp % 2) * 32;
  for (int j = 0; j < 2; ++j)
    nvcuda::wmma::store_matrix_sync(&s.c[r0][c0 + 16 * j], acc[j], TcGemmShared<P>::ldc, nvcuda::wmma::mem_row_major);
  __syncthreads();
}

// Launch grid (max tiles, ceil(out / kGemmTileN)), 256 threads; as composed_forward_kernel.
template <Precision P>
static __global__ void __launch_bounds__(kGemmThreads)
    composed_forward_tc_kernel(ComposedLayer l, DomainGrid grid, const RouteTile* table,
                               const std::uint32_t* tile_count, const std::uint32_t* order, const float* x, float* y) {
  if (blockIdx.x >= *tile_count) return;
  using O = TensorCoreOperand<P>;
  __shared__ TcGemmShared<P> s;
  const RouteTile tile = table[blockIdx.x];
  const std::uint32_t rows = tile.row_end - tile.row_begin;
  const std::uint32_t n0 = blockIdx.y * kGemmTileN;
  const unsigned warp = threadIdx.x / 32;
  TcAccumulator<P> acc[2];
  for (auto& a : acc) nvcuda::wmma::fill_fragment(a, 0.0f);
  for (std::uint32_t k0 = 0; k0 < l.in; k0 += kGemmTileK) {
    for (unsigned i = threadIdx.x; i < kGemmTileM * kGemmTileK; i += kGemmThreads) {
      const unsigned m = i / kGemmTileK, kk = i % kGemmTileK;
      s.a[m][kk] = O::round(tile_input(l, tile, order, x, m, k0 + kk));
    }
    for (unsigned i = threadIdx.x; i < kGemmTileK * kGemmTileN; i += kGemmThreads) {
      const unsigned kk = i / kGemmTileN, nn = i % kGemmTileN;
      const bool in_range = k0 + kk < l.in && n0 + nn < l.out;
      s.b[kk][nn] = O::round(in_range ? composed_weight(l, grid, tile.domain, k0 + kk, n0 + nn) : 0.0f);
    }
    __syncthreads();
    tc_multiply_tiles<P>(s, warp, acc);
    __syncthreads();
  }
  tc_store_outputs<P>(s, warp, acc);
  for (unsigned i = threadIdx.x; i < kGemmTileM * kGemmTileN; i += kGemmThreads) {
    const unsigned m = i / kGemmTileN, nn = i % kGemmTileN;
    if (m >= rows || n0 + nn >= l.out) continue;
    float v = s.c[m][nn] + composed_bias(l, grid, tile.domain, n0 + nn);
    if (l.relu && v < 0.0f) v = 0.0f;
    y[static_cast<std::size_t>(tile.row_begin + m) * l.out + n0 + nn] = v;
  }
}

// dx = dz W_d^T for routed rows; launch grid (max tiles, ceil(in / kGemmTileN)), 256 threads.
template <Precision P>
static __global__ void __launch_bounds__(kGemmThreads)
    composed_dx_tc_kernel(ComposedLayer l, DomainGrid grid, const RouteTile* table, const std::uint32_t* tile_count,
                          const float* dz, float* dx) {
  if (blockIdx.x >= *tile_count) return;
  using O = TensorCoreOperand<P>;
  __shared__ TcGemmShared<P> s;
  const RouteTile tile = table[blockIdx.x];
  const std::uint32_t rows = tile.row_end - tile.row_begin;
  const std::uint32_t k0 = blockIdx.y * kGemmTileN;  // columns of dx are rows of W_d
  const unsigned warp = threadIdx.x / 32;
  TcAccumulator<P> acc[2];
  for (auto& a : acc) nvcuda::wmma::fill_fragment(a, 0.0f);
  for (std::uint32_t n0 = 0; n0 < l.out; n0 += kGemmTileK) {
    for (unsigned i = threadIdx.x; i < kGemmTileM * kGemmTileK; i += kGemmThreads) {
      const unsigned m = i / kGemmTileK, nn = i % kGemmTileK;
      const bool in_range = m < rows && n0 + nn < l.out;
      s.a[m][nn] = O::round(in_range ? dz[static_cast<std::size_t>(tile.row_begin + m) * l.out + n0 + nn] : 0.0f);
    }
    for (unsigned i = threadIdx.x; i < kGemmTileK * kGemmTileN; i += kGemmThreads) {
      const unsigned kk = i % kGemmTileN, nn = i / kGemmTileN;
      const bool in_range = k0 + kk < l.in && n0 + nn < l.out;
      s.b[nn][kk] = O::round(in_range ? composed_weight(l, grid, tile.domain, k0 + kk, n0 + nn) : 0.0f);
    }
    __syncthreads();
    tc_multiply_tiles<P>(s, warp, acc);
    __syncthreads();
  }
  tc_store_outputs<P>(s, warp, acc);
  for (unsigned i = threadIdx.x; i < kGemmTileM * kGemmTileN; i += kGemmThreads) {
    const unsigned m = i / kGemmTileN, kk = i % kGemmTileN;
    if (m < rows && k0 + kk < l.in) dx[static_cast<std::size_t>(tile.row_begin + m) * l.in + k0 + kk] = s.c[m][kk];
  }
}

// G = x^T dz over routed rows [begin, end) of domain d on the block's 32 x 32 tile (k0, n0), on
// the tensor cores, folded in fp32 into every group's weight gradient; with bias_block also the
// bias gradient of the tile's columns, from the unrounded dz. Every thread must call it.
template <Precision P>
__device__ inline void tc_fold_rows(const ComposedLayer& l, const DomainGrid& grid, const ComposedLayerGrad& grad,
                                    std::uint32_t d, std::uint32_t begin, std::uint32_t end, std::uint32_t k0,
                                    std::uint32_t n0, bool bias_block, const float* x, const float* dz,
                                    TcFoldShared<P>& s) {
  namespace wmma = nvcuda::wmma;
  using O = TensorCoreOperand<P>;
  const unsigned warp = threadIdx.x / 32;
  const unsigned k_off = (warp / 2) * 16, n_off = (warp % 2) * 16;
  TcAccumulator<P> acc;
  wmma::fill_fragment(acc, 0.0f);
  float bias_sum = 0.0f;
  for (std::uint32_t r0 = begin; r0 < end; r0 += kTcFoldRows) {
    for (unsigned i = threadIdx.x; i < kTcFoldRows * kFoldTile; i += kTcFoldThreads) {
      const unsigned rr = i / kFoldTile, c = i % kFoldTile;
      const bool row_ok = r0 + rr < end;
      s.x[rr][c] = O::round(row_ok && k0 + c < l.in ? x[static_cast<std::size_t>(r0 + rr) * l.in + k0 + c] : 0.0f);
      s.dz[rr][c] = O::round(row_ok && n0 + c < l.out ? dz[static_cast<std::size_t>(r0 + rr) * l.out + n0 + c] : 0.0f);
    }
    if (bias_block && threadIdx.x < kFoldTile && n0 + threadIdx.x < l.out)
      for (std::uint32_t r = r0; r < end && r < r0 + kTcFoldRows; ++r)
        bias_sum += dz[static_cast<std::size_t>(r) * l.out + n0 + threadIdx.x];
    __syncthreads();
    for (unsigned rr = 0; rr < kTcFoldRows; rr += O::k_step) {
      wmma::fragment<wmma::matrix_a, 16, 16, O::k_step, typename O::fragment_type, wmma::col_major> a;
      wmma::fragment<wmma::matrix_b, 16, 16, O::k_step, typename O::fragment_type, wmma::row_major> b;
      wmma::load_matrix_sync(a, &s.x[rr][k_off], TcFoldShared<P>::ld);
      wmma::load_matrix_sync(b, &s.dz[rr][n_off], TcFoldShared<P>::ld);
      wmma::mma_sync(acc, a, b, acc);
    }
    __syncthreads();
  }
  wmma::store_matrix_sync(&s.g[k_off][n_off], acc, TcFoldShared<P>::ldg, wmma::mem_row_major);
  __syncthreads();
  for (unsigned i = threadIdx.x; i < kFoldTile * kFoldTile; i += kTcFoldThreads) {
    const unsigned kk = i / kFoldTile, nn = i % kFoldTile;
    fold_element<false>(l, grid, grad, d, k0 + kk, n0 + nn, s.g[kk][nn]);
  }
  if (!bias_block || threadIdx.x >= kFoldTile || n0 + threadIdx.x >= l.out) return;
  for (int h = 0; h < kParamGroups; ++h)
    if (l.bias[h] != nullptr) grad.bias[h][static_cast<std::size_t>(grid.set_of(h, d)) * l.out + n0 + threadIdx.x] += bias_sum;
}

// One block of 128 threads per 32 x 32 tile (k, n) of the weight gradients and part of the rows,
// domains in order, as composed_fold_kernel. Launch grid (ceil(in / 32), ceil(out / 32), parts).
template <Precision P>
static __global__ void __launch_bounds__(kTcFoldThreads)
    composed_fold_tc_kernel(ComposedLayer l, DomainGrid grid, ComposedLayerGrad grad, const std::uint32_t* offsets,
                            std::uint32_t n_domains, const float* x, const float* dz, FoldSplit split,
                            std::uint32_t rows) {
  __shared__ TcFoldShared<P> s;
  const std::uint32_t k0 = blockIdx.x * kFoldTile, n0 = blockIdx.y * kFoldTile;
  const std::uint32_t lo = fold_part_begin(rows, split.parts, blockIdx.z);
  const std::uint32_t hi = fold_part_begin(rows, split.parts, blockIdx.z + 1);
  for (std::uint32_t d = 0; d < n_domains; ++d) {
    const std::uint32_t begin = offsets[d] > lo ? offsets[d] : lo, end = offsets[d + 1] < hi ? offsets[d + 1] : hi;
    if (begin >= end) continue;  // the same for every thread of the block
    // The part's pointers made here, not before the loop: held across it, tf32's spill (ptxas 13.0).
    tc_fold_rows<P>(l, grid, fold_part_grad(grad, split, blockIdx.z), d, begin, end, k0, n0, blockIdx.x == 0, x, dz,
                    s);
    __syncthreads();  // s.g is read above before the next domain stores into it
  }
}

template <Precision P>
inline void composed_forward_tc(const ComposedLayer& l, const DomainGrid& grid, const ComposedRouting& r,
                                bool gather_input, const float* x, float* y, cudaStream_t stream) {
  if (r.max_tiles == 0 || l.out == 0) return;
  const dim3 blocks(r.max_tiles, (l.out + kGemmTileN - 1) / kGemmTileN);
  MMN_LAUNCH(composed_forward_tc_kernel<P>, blocks, dim3(kGemmThreads), 0, stream, l, grid, r.table, r.tile_count,
             gather_input ? r.order : static_cast<const std::uint32_t*>(nullptr), x, y);
}

template <Precision P>
inline void composed_input_gradient_tc(const ComposedLayer& l, const DomainGrid& grid, const ComposedRouting& r,
                                       const float* dz, float* dx, cudaStream_t stream) {
  const dim3 blocks(r.max_tiles, (l.in + kGemmTileN - 1) / kGemmTileN);
  MMN_LAUNCH(composed_dx_tc_kernel<P>, blocks, dim3(kGemmThreads), 0, stream, l, grid, r.table, r.tile_count, dz, dx);
}

template <Precision P>
inline void composed_backward_tc(const ComposedLayer& l, const DomainGrid& grid, const ComposedRouting& r,
                                 const float* x, const float* y, float* dy, float* dx, const ComposedLayerGrad& grad,
                                 cudaStream_t stream, float* fold_scratch) {
  if (r.rows == 0) return;
  relu_mask(l, r, y, dy, stream);
  if (dx != nullptr) composed_input_gradient_tc<P>(l, grid, r, dy, dx, stream);
  const unsigned k_tiles = (l.in + kFoldTile - 1) / kFoldTile, n_tiles = (l.out + kFoldTile - 1) / kFoldTile;
  const FoldSplit split = fold_split(l, grid, r.rows, fold_scratch, kFoldTile);
  clear_fold_scratch(split, stream);
  MMN_LAUNCH(composed_fold_tc_kernel<P>, dim3(k_tiles, n_tiles, split.parts), dim3(kTcFoldThreads), 0, stream, l, grid,
             grad, r.offsets, r.n_domains, x, static_cast<const float*>(dy), split, r.rows);
  sum_fold_parts(grad, split, stream);
}

// The layer at a chosen operand precision: fp32 runs composed_gemm.cuh's SIMT kernels (with
// `fold`); tf32 and bf16 the tensor-core kernels above, whose fold is always the deterministic one.
inline void composed_forward(const ComposedLayer& l, const DomainGrid& grid, const ComposedRouting& r,
                             bool gather_input, const float* x, float* y, cudaStream_t stream, Precision precision) {
  switch (precision) {
    case Precision::tf32:
      return composed_forward_tc<Precision::tf32>(l, grid, r, gather_input, x, y, stream);
    case Precision::bf16:
      return composed_forward_tc<Precision::bf16>(l, grid, r, gather_input, x, y, stream);
    default:
      return composed_forward(l, grid, r, gather_input, x, y, stream);
  }
}

inline void composed_input_gradient(const ComposedLayer& l, const DomainGrid& grid, const ComposedRouting& r,
                                    const float* dz, float* dx, cudaStream_t stream, Precision precision) {
  switch (precision) {
    case Precision::tf32:
      return composed_input_gradient_tc<Precision::tf32>(l, grid, r, dz, dx, stream);
    case Precision::bf16:
      return composed_input_gradient_tc<Precision::bf16>(l, grid, r, dz, dx, stream);
    default:
      return composed_input_gradient(l, grid, r, dz, dx, stream);
  }
}

inline void composed_backward(const ComposedLayer& l, const DomainGrid& grid, const ComposedRouting& r, const float* x,
                              const float* y, float* dy, float* dx, const ComposedLayerGrad& grad, cudaStream_t stream,
                              FoldMode fold, Precision precision, float* fold_scratch = nullptr) {
  switch (precision) {
    case Precision::tf32:
      return composed_backward_tc<Precision::tf32>(l, grid, r, x, y, dy, dx, grad, stream, fold_scratch);
    case Precision::bf16:
      return composed_backward_tc<Precision::bf16>(l, grid, r, x, y, dy, dx, grad, stream, fold_scratch);
    default:
      return composed_backward(l, grid, r, x, y, dy, dx, grad, stream, fold, fold_scratch);
  }
}

}  // namespace mmn::kernels
