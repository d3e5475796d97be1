#pragma once
// Register-tiled kernels of the MMN layer, whose domain weights are an elementwise product
// W_d = A ⊙ B (A = W ⊙ Wt[t], B = Ws[s]). They never write W_d or a domain's G_d = X_d^T dZ_d
// to memory: the forward multiplies A and B while loading them, and the fold keeps G_d in
// registers while it updates the gradients. Where the compiler targets AVX-512 they use it; the
// portable versions (also compiled there, for the tests) are plain loops with the same results
// up to rounding order.
#include <cstddef>
#include <cstdint>

namespace mmn::product_kernels {

// Rows per call of `gemm`.
constexpr std::uint32_t kMaxRows = 12;
// Columns per panel: `gemm` reads its weights packed as panels, [cols / 16][rows][16] (the last
// panel zero-padded), so that each tile streams contiguous memory. Read with a stride across
// whole rows, matrices coming from L3 arrive several times slower.
constexpr std::uint32_t kPanelWidth = 16;

// Floats of a rows x cols matrix packed as panels.
inline std::size_t panels_size(std::uint32_t rows, std::uint32_t cols) {
  return std::size_t{rows} * ((cols + kPanelWidth - 1) / kPanelWidth * kPanelWidth);
}
// in (rows x cols, row stride ld_in) packed as panels into out; multiplied elementwise by
// `scale` (same shape and stride) unless it is null.
void pack_panels(const float* in, std::size_t ld_in, std::uint32_t rows, std::uint32_t cols, float* out,
                 const float* scale = nullptr);
// in^T (cols x rows) packed as panels into out, from `panels`: in (rows x cols) as pack_panels wrote it.
void transpose_panels(const float* panels, std::uint32_t rows, std::uint32_t cols, float* out);

// y[i][c] = act(bias[c] + sum_k x[i][k] * a[k][c] * b[k][c]) for i < rows <= kMaxRows,
// c < cols, k < depth; act is ReLU when relu, identity otherwise; bias may be null. a and b are
// packed as panels `depth` rows high, from the panel of y's first column.
struct GemmArgs {
  const float* x;
  std::size_t ldx;
  std::uint32_t rows, depth, cols;
  const float* a;
  const float* b;
  const float* bias;
  bool relu;
  float* y;
  std::size_t ldy;
};
void gemm(const GemmArgs& args);

// Rows of the weights in `type_fold`'s register tile: a depth that is a multiple of it leaves
// no partial tiles. (12 by 32 columns: each row of x and dz fed to the tile makes 24 FMAs; with
// 6 rows, the fold of the criteo-like layers 0 and 1 took 4 to 7 % longer.)
constexpr std::uint32_t kFoldTileRows = 12;

// Columns of `type_fold`'s register tile.
constexpr std::uint32_t kFoldTileCols = 32;

// Types one `type_fold` call may take.
constexpr std::uint32_t kMaxFoldTypes = 32;

// A group of types' share of the MMN layer's weight gradients. For each segment (the routed
// rows of one domain (t, s) of the group) G = x_seg^T dz_seg, then
//   dWs[s] += G ⊙ P[t],   A_t += G ⊙ Ws[s];
// and after the last segment, for each type, dW += A_t ⊙ Wt[t], dWt[t] += A_t ⊙ W. Each G stays
// in registers, the A_t in a buffer on the stack (L1); segments ordered scenario-major find
// their dWs[s] tile in L1 where the one before had it. x's rows are prefetched in software, well
// ahead.
// P[t] and Ws[s] are read as panels (pack_panels; panel_stride floats from one panel to the
// next) from the panel of the block's first column and the block's first row; the block's first
// column is a multiple of kPanelWidth. The other weights and the gradients start at the block's
// first row and column and share the row stride ldw. x starts at the block's first column
// (depth of them are read), dz at its first column (cols of them are read, in tiles whose
// first column is a multiple of kFoldTileCols from there).
struct FoldType {
  const float* product;  // P[t] = W ⊙ Wt[t], as panels
  const float* weight;   // Wt[t]
  float* grad;           // dWt[t]
};
struct FoldSegment {
  std::uint32_t first_row, rows;
  std::uint32_t type;            // index into TypeFoldArgs::types
  const float* scenario_weight;  // Ws[s], as panels
  float* scenario_grad;          // dWs[s]
};
struct TypeFoldArgs {
  const float* x;
  std::size_t ldx;
  // dz[i][c] at dz[c / kFoldTileCols * dz_tile + i * lddz + c % kFoldTileCols]: row-major when
  // dz_tile is kFoldTileCols, in tiles of kFoldTileCols columns with each tile's rows contiguous
  // when lddz is kFoldTileCols.
  const float* dz;
  std::size_t lddz, dz_tile;
  const FoldSegment* segments;
  std::uint32_t n_segments;
  const FoldType* types;
  std::uint32_t n_types;  // at most kMaxFoldTypes
  std::uint32_t depth, cols;
  std::size_t ldw;
  std::size_t panel_stride;
  const float* shared;  // W
  float* shared_grad;   // dW
};
void type_fold(const TypeFoldArgs& args);

namespace portable {
void gemm(const GemmArgs& args);
void type_fold(const TypeFoldArgs& args);
}  // namespace portable

}  // namespace mmn::product_kernels
