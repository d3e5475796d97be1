#include "mmn/ops/product_layer.h"

#include <algorithm>
#include <vector>

#include "mmn/ops/product_microkernels.h"
#include "mmn/ops/thread_scratch.h"
#include "mmn/util/cache_size.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

using product_kernels::kMaxRows;

// body(first_row, rows) over [begin, end) in near-equal blocks of at most kMaxRows rows.
template <class Body>
void for_row_blocks(std::uint32_t begin, std::uint32_t end, const Body& body) {
  const std::uint32_t n = end - begin;
  if (n == 0) return;
  const std::uint32_t blocks = (n + kMaxRows - 1) / kMaxRows;
  const std::uint32_t base = n / blocks, extra = n % blocks;
  for (std::uint32_t b = 0, row = begin; b < blocks; ++b) {
    const std::uint32_t rows = base + (b < extra ? 1 : 0);
    body(row, rows);
    row += rows;
  }
}

// body(c0, c1) for each thread's share of `width` columns, on the pool.
template <class Body>
void over_column_shares(std::uint32_t width, ThreadPool& pool, const Body& body) {
  const std::uint32_t share = column_share(width, pool.size());
  pool.run((width + share - 1) / share, [&](std::size_t i) {
    const auto c0 = static_cast<std::uint32_t>(i * share);
    body(c0, std::min(c0 + share, width));
  });
}

// The domains in the order a pass over matrices `depth` rows high, `width` columns shared out
// over the pool, walks them: blocks of types whose shares of P[t] fill half of L2. (Criteo-like
// step on a 2 MiB L2: 1 to 2 ms less than type-major, the routed order.)
std::vector<std::uint32_t> pass_order(const DomainGrid& grid, const Routing& r, std::uint32_t depth,
                                      std::uint32_t width, const ThreadPool& pool) {
  const std::size_t share = std::size_t{depth} * column_share(width, pool.size()) * sizeof(float);
  const auto types = static_cast<std::uint32_t>(std::max<std::size_t>(1, l2_cache_bytes() / 2 / share));
  return domains_by_type_blocks(grid, r, types);
}

// Every P[t] and Ws[s] transposed to [out][in], as panels, in a buffer of the calling thread.
PackedProductWeights transposed_weights(const ComposedLayer& l, const DomainGrid& grid, const PackedProductWeights& w,
                                        ThreadPool& pool) {
  const std::size_t packed = product_kernels::panels_size(l.out, l.in);
  float* pp = thread_scratch(Scratch::transposed_weights, (std::size_t{grid.n_types} + grid.n_scenarios) * packed);
  pool.run(grid.n_types + grid.n_scenarios, [&](std::size_t m) {
    const float* in = m < grid.n_types ? w.products + m * w.matrix : w.scenario + (m - grid.n_types) * w.matrix;
    product_kernels::transpose_panels(in, l.in, l.out, pp + m * packed);
  });
  return {pp, pp + grid.n_types * packed, packed};
}

}  // namespace

std::uint32_t column_share(std::uint32_t width, std::size_t threads) {
  const std::uint32_t vectors = (width + 15) / 16;
  const auto per_thread = static_cast<std::uint32_t>((vectors + threads - 1) / threads);
  return std::max(1u, per_thread) * 16;
}

std::vector<std::uint32_t> domains_by_type_blocks(const DomainGrid& grid, const Routing& r,
                                                  std::uint32_t types_per_block) {
  std::vector<std::uint32_t> order;
  order.reserve(r.active.size());
  for (std::uint32_t t0 = 0; t0 < grid.n_types; t0 += types_per_block) {
    const std::uint32_t t1 = std::min(t0 + types_per_block, grid.n_types);
    for (std::uint32_t s = 0; s < grid.n_scenarios; ++s)
      for (std::uint32_t t = t0; t < t1; ++t) {
        const std::uint32_t d = grid.domain(t, s);
        if (r.rows(d) > 0) order.push_back(d);
      }
  }
  return order;
}

std::size_t packed_product_weights_size(const ComposedLayer& l, const DomainGrid& grid) {
  return (std::size_t{grid.n_types} + grid.n_scenarios) * product_kernels::panels_size(l.in, l.out);
}

PackedProductWeights packed_product_weights(const ComposedLayer& l, const DomainGrid& grid, const float* buffer) {
  const std::size_t matrix = product_kernels::panels_size(l.in, l.out);
  return {buffer, buffer + grid.n_types * matrix, matrix};
}

PackedProductWeights pack_product_weights(const ComposedLayer& l, const DomainGrid& grid, float* buffer,
                                          ThreadPool& pool) {
  const std::size_t size = std::size_t{l.in} * l.out, matrix = product_kernels::panels_size(l.in, l.out);
  pool.run(grid.n_types + grid.n_scenarios, [&](std::size_t m) {
    if (m < grid.n_types)
      product_kernels::pack_panels(l.weight[kType] + m * size, l.out, l.in, l.out, buffer + m * matrix,
                                   l.weight[kShared]);
    else
      product_kernels::pack_panels(l.weight[kScenario] + (m - grid.n_types) * size, l.out, l.in, l.out,
                                   buffer + m * matrix);
  });
  return packed_product_weights(l, grid, buffer);
}

void product_layer_forward(const ComposedLayer& l, const DomainGrid& grid, const Routing& r,
                           const PackedProductWeights& w, const float* x, float* y, ThreadPool& pool) {
  const std::vector<std::uint32_t> order = pass_order(grid, r, l.in, l.out, pool);
  over_column_shares(l.out, pool, [&](std::uint32_t c0, std::uint32_t c1) {
    float* bias = thread_scratch(Scratch::composed_bias, l.out);
    const std::size_t panel = std::size_t{c0} / product_kernels::kPanelWidth * l.in * product_kernels::kPanelWidth;
    for (const std::uint32_t d : order) {
      compose_bias(l, grid, d, bias);
      const float* a = w.products + grid.set_of(kType, d) * w.matrix + panel;
      const float* b = w.scenario + grid.set_of(kScenario, d) * w.matrix + panel;
      for_row_blocks(r.offsets[d], r.offsets[d + 1], [&](std::uint32_t row, std::uint32_t rows) {
        product_kernels::gemm({x + std::size_t{row} * l.in, l.in, rows, l.in, c1 - c0, a, b, bias + c0, l.relu,
                               y + std::size_t{row} * l.out + c0, l.out});
      });
    }
  });
}

void product_layer_input_gradient(const ComposedLayer& l, const DomainGrid& grid, const Routing& r,
                                  const PackedProductWeights& weights, const float* dz, float* dx, ThreadPool& pool) {
  const PackedProductWeights w = transposed_weights(l, grid, weights, pool);
  const std::vector<std::uint32_t> order = pass_order(grid, r, l.out, l.in, pool);
  over_column_shares(l.in, pool, [&](std::uint32_t c0, std::uint32_t c1) {
    const std::size_t panel = std::size_t{c0} / product_kernels::kPanelWidth * l.out * product_kernels::kPanelWidth;
    for (const std::uint32_t d : order) {
      const float* a = w.products + grid.set_of(kType, d) * w.matrix + panel;
      const float* b = w.scenario + grid.set_of(kScenario, d) * w.matrix + panel;
      for_row_blocks(r.offsets[d], r.offsets[d + 1], [&](std::uint32_t row, std::uint32_t rows) {
        product_kernels::gemm({dz + std::size_t{row} * l.out, l.out, rows, l.out, c1 - c0, a, b, nullptr, false,
                               dx + std::size_t{row} * l.in + c0, l.in});
      });
    }
  });
}

}  // namespace mmn
