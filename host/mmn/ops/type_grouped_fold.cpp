#include "mmn/ops/type_grouped_fold.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "mmn/ops/copy_floats.h"
#include "mmn/ops/product_microkernels.h"
#include "mmn/ops/thread_scratch.h"
#include "mmn/util/cache_size.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

struct Columns {
  std::uint32_t in, width, stride, c0;
  // Row k of set `set` of a [sets][in][out] array, from column c0.
  std::size_t at(std::uint32_t set, std::uint32_t k) const { return (std::size_t{set} * in + k) * stride + c0; }
};

// Bytes of scenario weights and gradients a block of the depth may span: every Ws[s] and dWs[s]
// for the block's rows stay in a core's L2 while each type's domains pass over them. A quarter
// of L2 measured best, on a 1 MiB L2 (where half crowded out the type weights and the streamed
// tiles of x and dz) and on a 2 MiB one (the criteo-like layer 0's fold 4 % faster than with
// 256 KiB).
std::size_t depth_block_bytes() { return l2_cache_bytes() / 4; }

std::uint32_t depth_block(const DomainGrid& grid, const Columns& c) {
  const std::size_t per_row = 2 * std::size_t{grid.n_scenarios} * c.width * sizeof(float);
  constexpr std::uint32_t tile = product_kernels::kFoldTileRows;
  const auto rows = static_cast<std::uint32_t>(depth_block_bytes() / per_row / tile * tile);
  return std::min(std::max(rows, tile), c.in);
}

// Consecutive types whose routed rows together stay within a budget, with their active
// domains ordered scenario-major: the fold then finds each scenario's gradient tile in L1 across
// the group's types, while the group's rows of x and dz stay in L2. (On the criteo-like step,
// budgets from 512 to 4096 rows measured alike; one type per group was slower.)
constexpr std::uint32_t kGroupRows = 1024;

struct TypeGroup {
  std::uint32_t first_type, end_type;
  std::vector<std::uint32_t> domains;
};

std::vector<TypeGroup> type_groups(const DomainGrid& grid, const Routing& r) {
  std::vector<TypeGroup> groups;
  std::uint32_t rows = 0;
  for (const std::uint32_t d : r.active) {  // type-major
    const std::uint32_t t = grid.set_of(kType, d);
    const bool new_type = groups.empty() || t >= groups.back().end_type;
    if (new_type) {
      const bool full = groups.empty() || rows >= kGroupRows ||
                        t - groups.back().first_type >= product_kernels::kMaxFoldTypes;
      if (full) {
        groups.push_back({t, t + 1, {}});
        rows = 0;
      }
      groups.back().end_type = t + 1;
    }
    groups.back().domains.push_back(d);
    rows += r.rows(d);
  }
  for (TypeGroup& g : groups)
    std::stable_sort(g.domains.begin(), g.domains.end(), [&](std::uint32_t a, std::uint32_t b) {
      return grid.set_of(kScenario, a) < grid.set_of(kScenario, b);
    });
  return groups;
}

}  // namespace

void type_products(const ComposedLayer& l, const DomainGrid& grid, float* out, ThreadPool& pool) {
  const std::size_t size = std::size_t{l.in} * l.out;
  pool.run(grid.n_types, [&](std::size_t t) {
    const float* __restrict__ w = l.weight[kShared];
    const float* __restrict__ wt = l.weight[kType] + t * size;
    float* __restrict__ p = out + t * size;
    for (std::size_t i = 0; i < size; ++i) p[i] = w[i] * wt[i];
  });
}

FoldRows row_major_fold_rows(const float* x, const float* dz, std::uint32_t out) {
  return {x, dz, out, product_kernels::kFoldTileCols, 0};
}

std::size_t packed_fold_dz_size(std::uint32_t n, std::uint32_t c0, std::uint32_t c1) {
  constexpr std::uint32_t tile = product_kernels::kFoldTileCols;
  return std::size_t{(c1 - c0 + tile - 1) / tile} * n * tile;
}

void pack_fold_dz(const float* dz, std::uint32_t n, std::size_t ld, std::uint32_t c0, std::uint32_t c1, float* out) {
  constexpr std::uint32_t tile = product_kernels::kFoldTileCols;
  for (std::uint32_t i = 0; i < n; ++i) {
    const float* row = dz + i * ld;
    for (std::uint32_t t0 = c0; t0 < c1; t0 += tile) {
      float* o = out + std::size_t{(t0 - c0) / tile} * n * tile + std::size_t{i} * tile;
      const std::uint32_t width = std::min(tile, c1 - t0);
      copy_floats(o, row + t0, width);
      for (std::uint32_t c = width; c < tile; ++c) o[c] = 0.0f;
    }
  }
}

FoldRows packed_fold_rows(const float* x, const float* dz, std::uint32_t n, std::uint32_t c0) {
  return {x, dz, product_kernels::kFoldTileCols, std::size_t{n} * product_kernels::kFoldTileCols, c0};
}

bool type_grouped_fold_applies(const ComposedLayer& l) {
  return l.composition == Composition::product && l.weight[kShared] != nullptr && l.weight[kType] != nullptr &&
         l.weight[kScenario] != nullptr && l.weight[kDomain] == nullptr;
}

void type_grouped_fold(const ComposedLayer& l, const DomainGrid& grid, const Routing& r,
                       const PackedProductWeights& w, const float* x, const float* dz, const FoldRange& range,
                       const ComposedLayerGrad& grad) {
  type_grouped_fold(l, grid, r, w, row_major_fold_rows(x, dz, l.out), range, grad);
}

void type_grouped_fold(const ComposedLayer& l, const DomainGrid& grid, const Routing& r,
                       const PackedProductWeights& w, const FoldRows& rows, const FoldRange& range,
                       const ComposedLayerGrad& grad) {
  constexpr std::uint32_t tile_cols = product_kernels::kFoldTileCols;
  if (range.c0 % product_kernels::kPanelWidth != 0)
    throw std::invalid_argument("type_grouped_fold: the first column is not a multiple of the panel width");
  if (range.c0 < rows.dz_c0 || (rows.dz_tile != tile_cols && (range.c0 - rows.dz_c0) % tile_cols != 0))
    throw std::invalid_argument("type_grouped_fold: the first column is not at a tile of the packed dz");
  const std::uint32_t dz_col = range.c0 - rows.dz_c0;
  const float* dz = rows.dz + dz_col / tile_cols * rows.dz_tile + dz_col % tile_cols;
  const Columns c{l.in, range.c1 - range.c0, l.out, range.c0};
  const std::size_t panel_stride = std::size_t{l.in} * product_kernels::kPanelWidth;
  // Start of row k0 in the panel of column c0 of packed matrix m.
  const auto in_panels = [&](const float* matrices, std::uint32_t m, std::uint32_t k0) {
    return matrices + m * w.matrix + range.c0 / product_kernels::kPanelWidth * panel_stride +
           std::size_t{k0} * product_kernels::kPanelWidth;
  };
  const std::uint32_t block = depth_block(grid, c);
  const std::vector<TypeGroup> groups = type_groups(grid, r);
  std::vector<product_kernels::FoldType> types;
  std::vector<product_kernels::FoldSegment> segments;
  for (std::uint32_t k0 = range.k0; k0 < range.k1; k0 += block) {
    const std::uint32_t depth = std::min(block, range.k1 - k0);
    for (const TypeGroup& group : groups) {
      types.clear();
      for (std::uint32_t t = group.first_type; t < group.end_type; ++t)
        types.push_back(
            {in_panels(w.products, t, k0), l.weight[kType] + c.at(t, k0), grad.weight[kType] + c.at(t, k0)});
      segments.clear();
      for (const std::uint32_t d : group.domains) {
        const std::uint32_t s = grid.set_of(kScenario, d);
        segments.push_back({r.offsets[d], r.rows(d), grid.set_of(kType, d) - group.first_type,
                            in_panels(w.scenario, s, k0), grad.weight[kScenario] + c.at(s, k0)});
      }
      product_kernels::type_fold({rows.x + k0, l.in, dz, rows.dz_row, rows.dz_tile, segments.data(),
                                  static_cast<std::uint32_t>(segments.size()), types.data(),
                                  static_cast<std::uint32_t>(types.size()), depth, c.width, l.out, panel_stride,
                                  l.weight[kShared] + c.at(0, k0), grad.weight[kShared] + c.at(0, k0)});
    }
  }
  if (range.k0 != 0) return;
  float* sum = thread_scratch(Scratch::bias_gradient, c.width);
  for (const std::uint32_t d : r.active) {
    std::fill(sum, sum + c.width, 0.0f);
    for (std::uint32_t c0 = 0; c0 < c.width; c0 += tile_cols) {
      const std::uint32_t width = std::min(tile_cols, c.width - c0);
      const float* tile = dz + c0 / tile_cols * rows.dz_tile;
      for (std::uint32_t i = r.offsets[d]; i < r.offsets[d + 1]; ++i) {
        const float* row = tile + i * rows.dz_row;
        for (std::uint32_t j = 0; j < width; ++j) sum[c0 + j] += row[j];
      }
    }
    add_domain_bias_gradient(l, grid, d, sum, range.c0, range.c1, grad);
  }
}

}  // namespace mmn
