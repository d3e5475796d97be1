#include "mmn/ops/type_grouped_fold.h"

#include <algorithm>
#include <vector>

#include "mmn/ops/product_microkernels.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

struct Columns {
  std::uint32_t in, width, stride, c0;
  // Row k of set `set` of a [sets][in][out] array, from column c0.
  std::size_t at(std::uint32_t set, std::uint32_t k) const { return (std::size_t{set} * in + k) * stride + c0; }
};

// Bytes of scenario weights and gradients a block of the depth may span: every Ws[s] and dWs[s]
// for the block's rows stay in a core's L2 while each type's domains pass over them.
constexpr std::size_t kDepthBlockBytes = 512 * 1024;

std::uint32_t depth_block(const DomainGrid& grid, const Columns& c) {
  const std::size_t per_row = 2 * std::size_t{grid.n_scenarios} * c.width * sizeof(float);
  constexpr std::uint32_t tile = product_kernels::kFoldTileRows;
  const auto rows = static_cast<std::uint32_t>(kDepthBlockBytes / per_row / tile * tile);
  return std::min(std::max(rows, tile), c.in);
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

bool type_grouped_fold_applies(const ComposedLayer& l) {
  return l.composition == Composition::product && l.weight[kShared] != nullptr && l.weight[kType] != nullptr &&
         l.weight[kScenario] != nullptr && l.weight[kDomain] == nullptr;
}

void type_grouped_fold(const ComposedLayer& l, const DomainGrid& grid, const Routing& r, const float* x,
                       const float* dz, const FoldRange& range, const float* products, const ComposedLayerGrad& grad) {
  const Columns c{l.in, range.c1 - range.c0, l.out, range.c0};
  const std::uint32_t block = depth_block(grid, c);
  std::vector<product_kernels::FoldSegment> segments;
  for (std::uint32_t k0 = range.k0; k0 < range.k1; k0 += block) {
    const std::uint32_t depth = std::min(block, range.k1 - k0);
    for (std::size_t first = 0; first < r.active.size();) {  // one type's domains at a time (routing is type-major)
      const std::uint32_t t = grid.set_of(kType, r.active[first]);
      segments.clear();
      for (; first < r.active.size() && grid.set_of(kType, r.active[first]) == t; ++first) {
        const std::uint32_t d = r.active[first], s = grid.set_of(kScenario, d);
        segments.push_back({r.offsets[d], r.rows(d), l.weight[kScenario] + c.at(s, k0),
                            grad.weight[kScenario] + c.at(s, k0)});
      }
      product_kernels::type_fold({x + k0, l.in, dz + range.c0, l.out, segments.data(),
                                  static_cast<std::uint32_t>(segments.size()), depth, c.width, l.out,
                                  products + c.at(t, k0), l.weight[kShared] + c.at(0, k0),
                                  l.weight[kType] + c.at(t, k0), grad.weight[kShared] + c.at(0, k0),
                                  grad.weight[kType] + c.at(t, k0)});
    }
  }
  if (range.k0 != 0) return;
  for (const std::uint32_t d : r.active) {
    const std::uint32_t begin = r.offsets[d];
    fold_domain_bias_gradient(l, grid, d, dz + std::size_t{begin} * l.out, r.rows(d), range.c0, range.c1, grad);
  }
}

}  // namespace mmn
