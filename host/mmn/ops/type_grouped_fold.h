#pragma once
// The weight-gradient fold of the MMN layer (product of shared, type and scenario weights),
// grouped by type. Folding each domain's G_d = X_d^T dZ_d into all three gradients costs
// three reads of weights and three read-modify-writes of gradients per element and domain.
// Since domain d = (t, s):
//   dW     = sum_t Wt[t] ⊙ A_t,   dWt[t] = W ⊙ A_t,   where A_t = sum_s G_(t,s) ⊙ Ws[s]
//   dWs[s] = sum_t (W ⊙ Wt[t]) ⊙ sum over its domains of G_(t,s)
// so per domain only A_t and dWs[s] are updated (with P_t = W ⊙ Wt[t] made once per type),
// and dW, dWt[t] once per type. The kernel (product_microkernels.h) takes groups of
// consecutive types (about a thousand routed rows each) with their domains ordered
// scenario-major, one tile of rows and columns at a time: G_(t,s) stays in registers, the
// group's A_t and the current scenario's dWs tile in L1. It runs over blocks of rows whose
// scenario weights and gradients stay in L2 while every group passes. Fixed order:
// deterministic for any number of threads.
#include <cstdint>

#include "mmn/ops/composed_layer.h"
#include "mmn/ops/product_layer.h"

namespace mmn {

class ThreadPool;

// True for a product of exactly the shared, type and scenario groups (the MMN layer).
bool type_grouped_fold_applies(const ComposedLayer& layer);

// P[t] = W ⊙ Wt[t] for every type t: n_types x in x out floats into `out`.
void type_products(const ComposedLayer& layer, const DomainGrid& grid, float* out, ThreadPool& pool);

// The block of the weights a call folds: output columns [c0, c1) of input rows [k0, k1).
struct FoldRange {
  std::uint32_t c0, c1, k0, k1;
};

// The routed rows the fold reads: x (row-major, l.in columns) and dz (with the ReLU mask
// applied), row-major or packed in the fold's column tiles (pack_fold_dz):
//   dz[i][c] at dz[(c - dz_c0) / kFoldTileCols * dz_tile + i * dz_row + (c - dz_c0) % kFoldTileCols].
// Packed, each tile's rows are contiguous, so that the fold streams them in order instead of
// reading 128 bytes from rows a kilobyte apart.
struct FoldRows {
  const float* x;
  const float* dz;
  std::size_t dz_row, dz_tile;
  std::uint32_t dz_c0;
};

// dz (n x out) as it is, row-major.
FoldRows row_major_fold_rows(const float* x, const float* dz, std::uint32_t out);

// Floats of columns [c0, c1) of n rows packed in the fold's column tiles.
std::size_t packed_fold_dz_size(std::uint32_t n, std::uint32_t c0, std::uint32_t c1);
// Columns [c0, c1) of dz (n rows, row stride ld) into `out`, tiles zero-padded to whole tiles.
void pack_fold_dz(const float* dz, std::uint32_t n, std::size_t ld, std::uint32_t c0, std::uint32_t c1, float* out);
// x with dz's columns from c0 as pack_fold_dz wrote them.
FoldRows packed_fold_rows(const float* x, const float* dz, std::uint32_t n, std::uint32_t c0);

// Every active domain's weight gradients for `range`, and, when the range starts at input row 0,
// its bias gradients for the range's columns; accumulated into grad. x and dz are the routed
// rows (dz with the ReLU mask applied); c0 is a multiple of 16 and, for a packed dz, at one of
// its tiles (std::invalid_argument otherwise).
void type_grouped_fold(const ComposedLayer& layer, const DomainGrid& grid, const Routing& routing,
                       const PackedProductWeights& weights, const FoldRows& rows, const FoldRange& range,
                       const ComposedLayerGrad& grad);
// The same, from row-major x and dz.
void type_grouped_fold(const ComposedLayer& layer, const DomainGrid& grid, const Routing& routing,
                       const PackedProductWeights& weights, const float* x, const float* dz, const FoldRange& range,
                       const ComposedLayerGrad& grad);

}  // namespace mmn
