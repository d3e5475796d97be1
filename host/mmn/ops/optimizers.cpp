#include "mmn/ops/optimizers.h"

#include <algorithm>
#include <cmath>

#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

constexpr std::size_t kChunk = 1 << 16;

template <typename F>
void in_chunks(std::size_t n, ThreadPool* pool, F&& f) {
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  auto one = [&](std::size_t c) { f(c * kChunk, std::min(n, (c + 1) * kChunk)); };
  run_tasks(pool, chunks, one);
}

struct AdamStep {
  float b1, b2, eps, step_size, inv_sqrt_bias2;
  AdamStep(const AdamConfig& c, std::uint64_t step) : b1(c.beta1), b2(c.beta2), eps(c.eps) {
    const double t = static_cast<double>(step);
    const double bias1 = 1.0 - std::pow(static_cast<double>(c.beta1), t);
    const double bias2 = 1.0 - std::pow(static_cast<double>(c.beta2), t);
    step_size = static_cast<float>(c.lr / bias1);
    inv_sqrt_bias2 = static_cast<float>(1.0 / std::sqrt(bias2));
  }
  // p -= lr * m_hat / (sqrt(v_hat) + eps)
  inline void apply(float& p, float g, float& m, float& v) const {
    m = b1 * m + (1.0f - b1) * g;
    v = b2 * v + (1.0f - b2) * g * g;
    p -= step_size * m / (std::sqrt(v) * inv_sqrt_bias2 + eps);
  }
};

}  // namespace

void adam_update(float* p, const float* g, float* m, float* v, std::size_t n, const AdamConfig& c, std::uint64_t step,
                 ThreadPool* pool) {
  const AdamStep s(c, step);
  in_chunks(n, pool, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) s.apply(p[i], g[i], m[i], v[i]);
  });
}

void adam_update_rows(float* table, float* m, float* v, std::uint32_t dim, const SparseRows& rows, const AdamConfig& c,
                      std::uint64_t step) {
  const AdamStep s(c, step);
  for (std::size_t k = 0; k < rows.ids.size(); ++k) {
    const std::size_t base = std::size_t{rows.ids[k]} * dim;
    const float* g = rows.grads.data() + k * dim;
    for (std::uint32_t j = 0; j < dim; ++j) s.apply(table[base + j], g[j], m[base + j], v[base + j]);
  }
}

void adagrad_update(float* p, const float* g, float* acc, std::size_t n, const AdagradConfig& c, ThreadPool* pool) {
  in_chunks(n, pool, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      acc[i] += g[i] * g[i];
      p[i] -= c.lr * g[i] / (std::sqrt(acc[i]) + c.eps);
    }
  });
}

void adagrad_update_rows(float* table, float* acc, std::uint32_t dim, const SparseRows& rows, const AdagradConfig& c) {
  for (std::size_t k = 0; k < rows.ids.size(); ++k) {
    const std::size_t base = std::size_t{rows.ids[k]} * dim;
    const float* g = rows.grads.data() + k * dim;
    for (std::uint32_t j = 0; j < dim; ++j) {
      float& a = acc[base + j];
      a += g[j] * g[j];
      table[base + j] -= c.lr * g[j] / (std::sqrt(a) + c.eps);
    }
  }
}

}  // namespace mmn
