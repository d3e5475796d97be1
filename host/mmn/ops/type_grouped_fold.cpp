#include "mmn/ops/type_grouped_fold.h"

#include <algorithm>
#include <vector>

#include "mmn/ops/blas.h"
#include "mmn/ops/thread_scratch.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

struct Columns {
  std::uint32_t in, width, stride, c0;
  // Row k of set `set` of a [sets][in][out] array, from column c0.
  std::size_t at(std::uint32_t set, std::uint32_t k) const { return (std::size_t{set} * in + k) * stride + c0; }
};

// dW += Wt[t] ⊙ A, dWt[t] += W ⊙ A.
void finish_type(const ComposedLayer& l, const ComposedLayerGrad& g, const Columns& c, std::uint32_t t,
                 const float* __restrict__ a) {
  for (std::uint32_t k = 0; k < c.in; ++k) {
    const float* __restrict__ w = l.weight[kShared] + c.at(0, k);
    const float* __restrict__ wt = l.weight[kType] + c.at(t, k);
    float* __restrict__ dw = g.weight[kShared] + c.at(0, k);
    float* __restrict__ dwt = g.weight[kType] + c.at(t, k);
    const float* __restrict__ ak = a + std::size_t{k} * c.width;
    for (std::uint32_t j = 0; j < c.width; ++j) {
      dw[j] += wt[j] * ak[j];
      dwt[j] += w[j] * ak[j];
    }
  }
}

// A += G ⊙ Ws[s], dWs[s] += G ⊙ P[t].
void fold_domain(const ComposedLayer& l, const ComposedLayerGrad& g, const Columns& c, std::uint32_t s,
                 const float* __restrict__ G, const float* __restrict__ products, std::uint32_t t,
                 float* __restrict__ a) {
  for (std::uint32_t k = 0; k < c.in; ++k) {
    const float* __restrict__ gk = G + std::size_t{k} * c.width;
    const float* __restrict__ pk = products + c.at(t, k);
    const float* __restrict__ ws = l.weight[kScenario] + c.at(s, k);
    float* __restrict__ dws = g.weight[kScenario] + c.at(s, k);
    float* __restrict__ ak = a + std::size_t{k} * c.width;
    for (std::uint32_t j = 0; j < c.width; ++j) {
      ak[j] += gk[j] * ws[j];
      dws[j] += gk[j] * pk[j];
    }
  }
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
                       const float* dz, std::uint32_t c0, std::uint32_t c1, const float* products,
                       const ComposedLayerGrad& grad) {
  const Columns c{l.in, c1 - c0, l.out, c0};
  const std::size_t tile = std::size_t{l.in} * c.width;
  float* G = thread_scratch(Scratch::type_fold_gradient, tile);
  float* A = thread_scratch(Scratch::type_fold_sum, tile);
  std::uint32_t current = ~0u;
  for (const std::uint32_t d : r.active) {  // ascending, so each type's domains are consecutive
    const std::uint32_t t = grid.set_of(kType, d), s = grid.set_of(kScenario, d);
    if (t != current) {
      if (current != ~0u) finish_type(l, grad, c, current, A);
      std::fill(A, A + tile, 0.0f);
      current = t;
    }
    const std::uint32_t begin = r.offsets[d], rows = r.rows(d);
    const float* x_seg = x + std::size_t{begin} * l.in;
    const float* dz_seg = dz + std::size_t{begin} * l.out;
    blas::sgemm(true, false, static_cast<int>(l.in), static_cast<int>(c.width), static_cast<int>(rows), 1.0f, x_seg,
                static_cast<int>(l.in), dz_seg + c0, static_cast<int>(l.out), 0.0f, G, static_cast<int>(c.width));
    fold_domain(l, grad, c, s, G, products, t, A);
    fold_domain_bias_gradient(l, grid, d, dz_seg, rows, c0, c1, grad);
  }
  if (current != ~0u) finish_type(l, grad, c, current, A);
}

}  // namespace mmn
