#include "mmn/ops/composed_layer.h"

#include <algorithm>
#include <vector>

#include "mmn/ops/blas.h"
#include "mmn/ops/factorised_sum_layer.h"
#include "mmn/ops/product_layer.h"
#include "mmn/ops/thread_scratch.h"
#include "mmn/ops/type_grouped_fold.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

constexpr std::uint32_t kRowBlock = 512;   // rows per forward / dx task
constexpr std::uint32_t kColumnChunk = 64; // output columns per weight-gradient task (at most)
// Narrower MMN layers (the towers' last) run their forward as composed GEMMs: the register
// kernels' vectors would be mostly empty.
constexpr std::uint32_t kProductKernelMinOut = 16;

struct EnabledGroups {
  int count = 0;
  int group[kParamGroups];
};

EnabledGroups enabled_groups(const ComposedLayer& layer) {
  EnabledGroups e;
  for (int g = 0; g < kParamGroups; ++g)
    if (layer.weight[g] != nullptr) e.group[e.count++] = g;
  return e;
}

// Start of row k, column c of domain d's set in group g.
inline const float* weight_at(const ComposedLayer& l, const DomainGrid& grid, int g, std::uint32_t d, std::size_t k,
                              std::uint32_t c) {
  return l.weight[g] + (std::size_t{grid.set_of(g, d)} * l.in + k) * l.out + c;
}

struct Task {
  std::uint32_t domain;
  std::uint32_t row_begin;  // routed positions
  std::uint32_t row_end;
};

// Output columns per weight-gradient task: one task per thread where the layer is wide enough,
// in multiples of 16 (fewer, larger GEMMs for G_d), at least kColumnChunk wide.
std::uint32_t fold_chunk(std::uint32_t out, std::size_t threads) {
  const auto per_thread = static_cast<std::uint32_t>((out + threads - 1) / threads);
  return std::max(kColumnChunk, (per_thread + 15) / 16 * 16);
}

// (domain, row block) tasks, largest first so the pool balances Zipf-sized segments.
std::vector<Task> segment_tasks(const Routing& r) {
  std::vector<Task> tasks;
  for (const std::uint32_t d : r.active)
    for (std::uint32_t b = r.offsets[d]; b < r.offsets[d + 1]; b += kRowBlock)
      tasks.push_back({d, b, std::min(b + kRowBlock, r.offsets[d + 1])});
  std::stable_sort(tasks.begin(), tasks.end(),
                   [](const Task& a, const Task& b) { return a.row_end - a.row_begin > b.row_end - b.row_begin; });
  return tasks;
}

// One row of the fold: each group's gradient += g ⊙ (the product of the other groups' weights).
void fold_row2(const float* __restrict__ g, const float* __restrict__ a, const float* __restrict__ b,
               float* __restrict__ ga, float* __restrict__ gb, std::size_t width) {
  for (std::size_t j = 0; j < width; ++j) {
    ga[j] += g[j] * b[j];
    gb[j] += g[j] * a[j];
  }
}

void fold_row3(const float* __restrict__ g, const float* __restrict__ a, const float* __restrict__ b,
               const float* __restrict__ c, float* __restrict__ ga, float* __restrict__ gb, float* __restrict__ gc,
               std::size_t width) {
  for (std::size_t j = 0; j < width; ++j) {
    ga[j] += g[j] * (b[j] * c[j]);
    gb[j] += g[j] * (a[j] * c[j]);
    gc[j] += g[j] * (a[j] * b[j]);
  }
}

// dy = 0 where the ReLU's output y is not positive (vectorised as a masked store of zeros).
void relu_mask(const float* __restrict__ y, float* __restrict__ dy, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (y[i] <= 0.0f) dy[i] = 0.0f;
}

void add_row(const float* __restrict__ g, float* __restrict__ out, std::size_t width) {
  for (std::size_t j = 0; j < width; ++j) out[j] += g[j];
}

// Folds G (in x width) into each group's gradient: for a product, group h receives
// G ⊙ (the product of the other groups' weights); for a sum, G itself.
template <int N>
void fold_weights(const float* G, std::uint32_t in, std::uint32_t width, std::uint32_t stride, const float* const* w,
                  float* const* gw, bool product) {
  for (std::uint32_t k = 0; k < in; ++k) {
    const float* g = G + std::size_t{k} * width;
    const std::size_t row = std::size_t{k} * stride;
    if (!product || N == 1) {
      for (int h = 0; h < N; ++h) add_row(g, gw[h] + row, width);
    } else if constexpr (N == 2) {
      fold_row2(g, w[0] + row, w[1] + row, gw[0] + row, gw[1] + row, width);
    } else if constexpr (N == 3) {
      fold_row3(g, w[0] + row, w[1] + row, w[2] + row, gw[0] + row, gw[1] + row, gw[2] + row, width);
    } else {
      for (std::uint32_t j = 0; j < width; ++j) {
        float v[N];
        for (int h = 0; h < N; ++h) v[h] = w[h][row + j];
        for (int h = 0; h < N; ++h) {
          float p = g[j];
          for (int o = 0; o < N; ++o)
            if (o != h) p *= v[o];
          gw[h][row + j] += p;
        }
      }
    }
  }
}

// out[j] = w0[j] op w1[j] op ... for one row of the composed weight, in one pass.
template <int N, bool Product>
void compose_row(const float* const* w, float* __restrict__ out, std::uint32_t width) {
  const float* __restrict__ a = w[0];
  if constexpr (N == 1) {
    for (std::uint32_t j = 0; j < width; ++j) out[j] = a[j];
  } else if constexpr (N == 2) {
    const float* __restrict__ b = w[1];
    for (std::uint32_t j = 0; j < width; ++j) out[j] = Product ? a[j] * b[j] : a[j] + b[j];
  } else if constexpr (N == 3) {
    const float* __restrict__ b = w[1];
    const float* __restrict__ c = w[2];
    for (std::uint32_t j = 0; j < width; ++j) out[j] = Product ? a[j] * b[j] * c[j] : a[j] + b[j] + c[j];
  } else {
    for (std::uint32_t j = 0; j < width; ++j) {
      float v = a[j];
      for (int h = 1; h < N; ++h) v = Product ? v * w[h][j] : v + w[h][j];
      out[j] = v;
    }
  }
}

// The MMN layer's W_d = P[t] ⊙ Ws[s] from the type products (type_grouped_fold.h), one read
// fewer per element than composing from the three groups; any other layer composes as usual.
void compose_domain_weight(const ComposedLayer& l, const DomainGrid& grid, std::uint32_t d, const float* products,
                           float* out) {
  if (products == nullptr) {
    compose_weight(l, grid, d, 0, l.out, out, l.out);
    return;
  }
  const std::size_t size = std::size_t{l.in} * l.out;
  const float* rows[2] = {products + grid.set_of(kType, d) * size, l.weight[kScenario] + grid.set_of(kScenario, d) * size};
  compose_row<2, true>(rows, out, static_cast<std::uint32_t>(size));
}

// W_d for a forward or dx GEMM: a lone group's weights as they are, otherwise composed into
// the calling thread's scratch.
const float* domain_weight(const ComposedLayer& l, const DomainGrid& grid, std::uint32_t d, const float* products) {
  const EnabledGroups e = enabled_groups(l);
  if (e.count == 1) return l.weight[e.group[0]] + std::size_t{grid.set_of(e.group[0], d)} * l.in * l.out;
  float* w = thread_scratch(Scratch::composed_weight, std::size_t{l.in} * l.out);
  compose_domain_weight(l, grid, d, products, w);
  return w;
}

// The type products of an MMN layer in a buffer of the calling thread, or null for other layers.
const float* products_if_mmn(const ComposedLayer& l, const DomainGrid& grid, ThreadPool& pool) {
  if (!type_grouped_fold_applies(l)) return nullptr;
  float* buffer = thread_scratch(Scratch::type_products, std::size_t{grid.n_types} * l.in * l.out);
  type_products(l, grid, buffer, pool);
  return buffer;
}

// The MMN layer's weights packed into layer.packed when the caller keeps them for the backward,
// else into the calling thread's scratch.
PackedProductWeights pack_for_step(const ComposedLayer& l, const DomainGrid& grid, ThreadPool& pool) {
  float* buffer = l.packed != nullptr ? l.packed
                                      : thread_scratch(Scratch::packed_weights, packed_product_weights_size(l, grid));
  return pack_product_weights(l, grid, buffer, pool);
}

// The MMN layer's weight gradients on every thread: each takes a share of the output columns,
// or, for a layer narrower than one vector, a share of the inputs.
void mmn_weight_gradients(const ComposedLayer& l, const DomainGrid& grid, const Routing& r,
                          const PackedProductWeights& w, const float* x, const float* dz, const ComposedLayerGrad& grad,
                          ThreadPool& pool) {
  const bool by_inputs = l.out < kProductKernelMinOut;
  const std::uint32_t extent = by_inputs ? l.in : l.out;
  const std::uint32_t share = by_inputs ? std::max<std::uint32_t>(1, static_cast<std::uint32_t>(
                                                                        (l.in + pool.size() - 1) / pool.size()))
                                        : column_share(l.out, pool.size());
  pool.run((extent + share - 1) / share, [&](std::size_t i) {
    const auto begin = static_cast<std::uint32_t>(i * share);
    const std::uint32_t end = std::min(begin + share, extent);
    if (by_inputs) {
      type_grouped_fold(l, grid, r, w, x, dz, FoldRange{0, l.out, begin, end}, grad);
      return;
    }
    // The thread's columns of dz packed in the fold's tiles: the fold streams each tile's rows
    // once per block of the depth.
    const auto n = static_cast<std::uint32_t>(r.total_rows());
    float* packed_dz = thread_scratch(Scratch::fold_dz, packed_fold_dz_size(n, begin, end));
    pack_fold_dz(dz, n, l.out, begin, end, packed_dz);
    type_grouped_fold(l, grid, r, w, packed_fold_rows(x, packed_dz, n, begin), FoldRange{begin, end, 0, l.in}, grad);
  });
}

}  // namespace

void compose_weight(const ComposedLayer& l, const DomainGrid& grid, std::uint32_t d, std::uint32_t c0,
                    std::uint32_t c1, float* out, std::size_t ld) {
  const EnabledGroups e = enabled_groups(l);
  const bool product = l.composition == Composition::product;
  const std::uint32_t width = c1 - c0;
  const float* rows[kParamGroups];
  for (std::uint32_t k = 0; k < l.in; ++k) {
    for (int h = 0; h < e.count; ++h) rows[h] = weight_at(l, grid, e.group[h], d, k, c0);
    float* o = out + std::size_t{k} * ld;
    switch (e.count * 2 + (product ? 1 : 0)) {
      case 2: case 3: compose_row<1, true>(rows, o, width); break;
      case 4: compose_row<2, false>(rows, o, width); break;
      case 5: compose_row<2, true>(rows, o, width); break;
      case 6: compose_row<3, false>(rows, o, width); break;
      case 7: compose_row<3, true>(rows, o, width); break;
      case 8: compose_row<4, false>(rows, o, width); break;
      default: compose_row<4, true>(rows, o, width); break;
    }
  }
}

void compose_bias(const ComposedLayer& l, const DomainGrid& grid, std::uint32_t d, float* out) {
  std::fill(out, out + l.out, 0.0f);
  for (int g = 0; g < kParamGroups; ++g) {
    if (l.bias[g] == nullptr) continue;
    const float* b = l.bias[g] + std::size_t{grid.set_of(g, d)} * l.out;
    for (std::uint32_t j = 0; j < l.out; ++j) out[j] += b[j];
  }
}

void composed_forward(const ComposedLayer& l, const DomainGrid& grid, const Routing& r, const float* x, float* y,
                      ThreadPool& pool) {
  if (factorises(l)) {
    factorised_sum_forward(l, grid, r, x, y, pool);
    return;
  }
  if (type_grouped_fold_applies(l) && (l.out >= kProductKernelMinOut || l.packed != nullptr)) {
    const PackedProductWeights w = pack_for_step(l, grid, pool);
    if (l.out >= kProductKernelMinOut) {
      product_layer_forward(l, grid, r, w, x, y, pool);
      return;
    }
  }
  const float* products = products_if_mmn(l, grid, pool);
  const std::vector<Task> tasks = segment_tasks(r);
  pool.run(tasks.size(), [&](std::size_t i) {
    const Task& t = tasks[i];
    const float* w = domain_weight(l, grid, t.domain, products);
    float* b = thread_scratch(Scratch::composed_bias, l.out);
    compose_bias(l, grid, t.domain, b);
    const std::uint32_t rows = t.row_end - t.row_begin;
    float* ys = y + std::size_t{t.row_begin} * l.out;
    blas::sgemm(false, false, static_cast<int>(rows), static_cast<int>(l.out), static_cast<int>(l.in), 1.0f,
                x + std::size_t{t.row_begin} * l.in, static_cast<int>(l.in), w, static_cast<int>(l.out), 0.0f, ys,
                static_cast<int>(l.out));
    for (std::uint32_t row = 0; row < rows; ++row) {
      float* yr = ys + std::size_t{row} * l.out;
      if (l.relu) {
        for (std::uint32_t j = 0; j < l.out; ++j) yr[j] = std::max(yr[j] + b[j], 0.0f);
      } else {
        for (std::uint32_t j = 0; j < l.out; ++j) yr[j] += b[j];
      }
    }
  });
}

void fold_domain_gradient(const ComposedLayer& l, const DomainGrid& grid, std::uint32_t d, const float* x_seg,
                          const float* dz_seg, std::uint32_t rows, std::uint32_t c0, std::uint32_t c1,
                          const ComposedLayerGrad& grad) {
  const EnabledGroups e = enabled_groups(l);
  const std::uint32_t width = c1 - c0;
  if (e.count == 1) {  // the gradient of a lone group's weight is G_d itself: accumulate it in place
    float* gw = grad.weight[e.group[0]] + std::size_t{grid.set_of(e.group[0], d)} * l.in * l.out + c0;
    blas::sgemm(true, false, static_cast<int>(l.in), static_cast<int>(width), static_cast<int>(rows), 1.0f, x_seg,
                static_cast<int>(l.in), dz_seg + c0, static_cast<int>(l.out), 1.0f, gw, static_cast<int>(l.out));
    fold_domain_bias_gradient(l, grid, d, dz_seg, rows, c0, c1, grad);
    return;
  }
  float* G = thread_scratch(Scratch::fold_gradient, std::size_t{l.in} * width);
  blas::sgemm(true, false, static_cast<int>(l.in), static_cast<int>(width), static_cast<int>(rows), 1.0f, x_seg,
              static_cast<int>(l.in), dz_seg + c0, static_cast<int>(l.out), 0.0f, G, static_cast<int>(width));
  const float* w[kParamGroups];
  float* gw[kParamGroups];
  for (int h = 0; h < e.count; ++h) {
    const int g = e.group[h];
    const std::size_t base = std::size_t{grid.set_of(g, d)} * l.in * l.out + c0;
    w[h] = l.weight[g] + base;
    gw[h] = grad.weight[g] + base;
  }
  const bool product = l.composition == Composition::product;
  switch (e.count) {
    case 1: fold_weights<1>(G, l.in, width, l.out, w, gw, product); break;
    case 2: fold_weights<2>(G, l.in, width, l.out, w, gw, product); break;
    case 3: fold_weights<3>(G, l.in, width, l.out, w, gw, product); break;
    default: fold_weights<4>(G, l.in, width, l.out, w, gw, product); break;
  }
  fold_domain_bias_gradient(l, grid, d, dz_seg, rows, c0, c1, grad);
}

void fold_domain_bias_gradient(const ComposedLayer& l, const DomainGrid& grid, std::uint32_t d, const float* dz_seg,
                               std::uint32_t rows, std::uint32_t c0, std::uint32_t c1, const ComposedLayerGrad& grad) {
  const std::uint32_t width = c1 - c0;
  float* __restrict__ sum = thread_scratch(Scratch::bias_gradient, width);
  std::fill(sum, sum + width, 0.0f);
  for (std::uint32_t row = 0; row < rows; ++row) add_row(dz_seg + std::size_t{row} * l.out + c0, sum, width);
  add_domain_bias_gradient(l, grid, d, sum, c0, c1, grad);
}

void add_domain_bias_gradient(const ComposedLayer& l, const DomainGrid& grid, std::uint32_t d,
                              const float* column_sums, std::uint32_t c0, std::uint32_t c1,
                              const ComposedLayerGrad& grad) {
  for (int g = 0; g < kParamGroups; ++g)
    if (l.bias[g] != nullptr) add_row(column_sums, grad.bias[g] + std::size_t{grid.set_of(g, d)} * l.out + c0, c1 - c0);
}

void composed_backward(const ComposedLayer& l, const DomainGrid& grid, const Routing& r, const float* x,
                       const float* y, float* dy, float* dx, const ComposedLayerGrad& grad, ThreadPool& pool) {
  const std::size_t n = r.total_rows();
  if (l.relu) {
    run_in_chunks(&pool, n * l.out, std::size_t{kRowBlock} * l.out,
                  [&](std::size_t begin, std::size_t end) { relu_mask(y + begin, dy + begin, end - begin); });
  }
  if (factorises(l)) {
    factorised_sum_backward(l, grid, r, x, dy, dx, grad, pool);
    return;
  }
  if (type_grouped_fold_applies(l)) {
    const PackedProductWeights w =
        l.packed != nullptr ? packed_product_weights(l, grid, l.packed) : pack_for_step(l, grid, pool);
    // The fold first, while dz is still in cache from the ReLU mask (about 0.5 ms a step
    // less than after the input gradient's pass over the transposed weights).
    mmn_weight_gradients(l, grid, r, w, x, dy, grad, pool);
    if (dx != nullptr) product_layer_input_gradient(l, grid, r, w, dy, dx, pool);
    return;
  }
  if (dx != nullptr) {
    const std::vector<Task> tasks = segment_tasks(r);
    pool.run(tasks.size(), [&](std::size_t i) {
      const Task& t = tasks[i];
      const float* w = domain_weight(l, grid, t.domain, nullptr);
      blas::sgemm(false, true, static_cast<int>(t.row_end - t.row_begin), static_cast<int>(l.in),
                  static_cast<int>(l.out), 1.0f, dy + std::size_t{t.row_begin} * l.out, static_cast<int>(l.out), w,
                  static_cast<int>(l.out), 0.0f, dx + std::size_t{t.row_begin} * l.in, static_cast<int>(l.in));
    });
  }
  const std::uint32_t chunk = fold_chunk(l.out, pool.size());
  const std::uint32_t chunks = (l.out + chunk - 1) / chunk;
  pool.run(chunks, [&](std::size_t c) {
    const auto c0 = static_cast<std::uint32_t>(c * chunk);
    const std::uint32_t c1 = std::min(c0 + chunk, l.out);
    for (const std::uint32_t d : r.active) {
      const std::uint32_t begin = r.offsets[d];
      fold_domain_gradient(l, grid, d, x + std::size_t{begin} * l.in, dy + std::size_t{begin} * l.out, r.rows(d), c0,
                           c1, grad);
    }
  });
}

}  // namespace mmn
