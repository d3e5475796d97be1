#include "mmn/ops/masked_tower.h"

#include <algorithm>

#include "mmn/ops/blas.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

constexpr std::size_t kRowBlock = 512;
constexpr std::uint32_t kColumnChunk = 64;

// Layer `l` of domain d's tower on rows [r0, r1): y = act(x W_d + b_d).
void layer_rows(const ComposedLayer& l, const DomainGrid& grid, std::uint32_t d, const float* x, float* y,
                std::size_t r0, std::size_t r1, std::vector<float>& w, std::vector<float>& b) {
  w.resize(std::size_t{l.in} * l.out);
  b.resize(l.out);
  compose_weight(l, grid, d, 0, l.out, w.data(), l.out);
  compose_bias(l, grid, d, b.data());
  float* ys = y + r0 * l.out;
  blas::sgemm(false, false, static_cast<int>(r1 - r0), static_cast<int>(l.out), static_cast<int>(l.in), 1.0f,
              x + r0 * l.in, static_cast<int>(l.in), w.data(), static_cast<int>(l.out), 0.0f, ys,
              static_cast<int>(l.out));
  for (std::size_t i = 0; i < (r1 - r0); ++i)
    for (std::uint32_t j = 0; j < l.out; ++j) {
      float& v = ys[i * l.out + j];
      v += b[j];
      if (l.relu) v = std::max(v, 0.0f);
    }
}

// Activations of every layer of domain d's tower on all n rows: acts[i] is layer i's output.
void tower_all_rows(const std::vector<ComposedLayer>& layers, const DomainGrid& grid, std::uint32_t d, const float* x,
                    std::size_t n, std::vector<std::vector<float>>& acts, ThreadPool* pool) {
  acts.resize(layers.size());
  for (std::size_t i = 0; i < layers.size(); ++i) acts[i].resize(n * layers[i].out);
  const std::size_t blocks = (n + kRowBlock - 1) / kRowBlock;
  auto block = [&](std::size_t blk) {
    std::vector<float> w, b;
    const std::size_t r0 = blk * kRowBlock, r1 = std::min(n, r0 + kRowBlock);
    for (std::size_t i = 0; i < layers.size(); ++i)
      layer_rows(layers[i], grid, d, i == 0 ? x : acts[i - 1].data(), acts[i].data(), r0, r1, w, b);
  };
  run_tasks(pool, blocks, block);
}

}  // namespace

void masked_tower_forward(const std::vector<ComposedLayer>& layers, const DomainGrid& grid, const float* x,
                          const std::uint32_t* domain, std::size_t n, float* logit, ThreadPool& pool) {
  pool.run(grid.n_domains(), [&](std::size_t di) {
    const auto d = static_cast<std::uint32_t>(di);
    std::vector<std::vector<float>> acts;
    tower_all_rows(layers, grid, d, x, n, acts, nullptr);
    for (std::size_t i = 0; i < n; ++i)
      if (domain[i] == d) logit[i] = acts.back()[i];  // the mask: keep the row's own domain
  });
}

void masked_tower_backward(const std::vector<ComposedLayer>& layers, const DomainGrid& grid, const float* x,
                           const std::uint32_t* domain, std::size_t n, const float* d_logit, float* dx,
                           const std::vector<ComposedLayerGrad>& grads, ThreadPool& pool) {
  const std::size_t in = layers.front().in;
  if (dx != nullptr) std::fill(dx, dx + n * in, 0.0f);
  std::vector<std::vector<float>> acts;
  std::vector<float> dy, dx_layer;
  for (std::uint32_t d = 0; d < grid.n_domains(); ++d) {
    tower_all_rows(layers, grid, d, x, n, acts, &pool);
    dy.assign(n, 0.0f);
    for (std::size_t i = 0; i < n; ++i)
      if (domain[i] == d) dy[i] = d_logit[i];
    for (std::size_t li = layers.size(); li-- > 0;) {
      const ComposedLayer& l = layers[li];
      const float* xin = li == 0 ? x : acts[li - 1].data();
      if (l.relu)
        for (std::size_t i = 0; i < n * l.out; ++i)
          if (acts[li][i] <= 0.0f) dy[i] = 0.0f;
      const std::uint32_t chunks = (l.out + kColumnChunk - 1) / kColumnChunk;
      pool.run(chunks, [&](std::size_t c) {
        const auto c0 = static_cast<std::uint32_t>(c * kColumnChunk);
        fold_domain_gradient(l, grid, d, xin, dy.data(), static_cast<std::uint32_t>(n), c0,
                             std::min(c0 + kColumnChunk, l.out), grads[li]);
      });
      if (li == 0 && dx == nullptr) break;
      dx_layer.assign(n * l.in, 0.0f);
      std::vector<float> w(std::size_t{l.in} * l.out);
      compose_weight(l, grid, d, 0, l.out, w.data(), l.out);
      const std::size_t blocks = (n + kRowBlock - 1) / kRowBlock;
      pool.run(blocks, [&](std::size_t blk) {
        const std::size_t r0 = blk * kRowBlock, r1 = std::min(n, r0 + kRowBlock);
        blas::sgemm(false, true, static_cast<int>(r1 - r0), static_cast<int>(l.in), static_cast<int>(l.out), 1.0f,
                    dy.data() + r0 * l.out, static_cast<int>(l.out), w.data(), static_cast<int>(l.out), 0.0f,
                    dx_layer.data() + r0 * l.in, static_cast<int>(l.in));
      });
      if (li == 0) {
        for (std::size_t i = 0; i < n * in; ++i) dx[i] += dx_layer[i];
      } else {
        dy.swap(dx_layer);
      }
    }
  }
}

}  // namespace mmn
