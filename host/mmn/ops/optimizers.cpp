#include "mmn/ops/optimizers.h"

#include <algorithm>
#include <cmath>

#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {

constexpr std::size_t kChunk = 1 << 16;

// Sparse updates touch table rows scattered over megabytes: each row's lines are requested
// this many rows before they are updated, so that several misses are in flight at once.
constexpr std::size_t kRowsAhead = 8;

void prefetch_row(const float* row, std::uint32_t dim) {
  for (std::uint32_t j = 0; j < dim; j += 16) __builtin_prefetch(row + j, 1);
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
  // p -= lr * m_hat / (sqrt(v_hat) + eps), over n contiguous values; restrict lets the
  // compiler vectorise it (the sqrt and the division dominate when it runs scalar).
  void apply(float* __restrict__ p, const float* __restrict__ g, float* __restrict__ m, float* __restrict__ v,
             std::size_t n) const {
    for (std::size_t i = 0; i < n; ++i) update(p[i], g[i], m[i], v[i]);
  }
  void apply_zeroing(float* __restrict__ p, float* __restrict__ g, float* __restrict__ m, float* __restrict__ v,
                     std::size_t n) const {
    for (std::size_t i = 0; i < n; ++i) {
      update(p[i], g[i], m[i], v[i]);
      g[i] = 0.0f;
    }
  }
  void update(float& p, float g, float& m, float& v) const {
    m = b1 * m + (1.0f - b1) * g;
    v = b2 * v + (1.0f - b2) * g * g;
    p -= step_size * m / (std::sqrt(v) * inv_sqrt_bias2 + eps);
  }
};

inline void adagrad_step(float& p, float g, float& acc, const AdagradConfig& c) {
  acc += g * g;
  p -= c.lr * g / (std::sqrt(acc) + c.eps);
}

void adagrad_apply(float* __restrict__ p, const float* __restrict__ g, float* __restrict__ acc, std::size_t n,
                   const AdagradConfig& c) {
  for (std::size_t i = 0; i < n; ++i) adagrad_step(p[i], g[i], acc[i], c);
}

void adagrad_apply_zeroing(float* __restrict__ p, float* __restrict__ g, float* __restrict__ acc, std::size_t n,
                           const AdagradConfig& c) {
  for (std::size_t i = 0; i < n; ++i) {
    adagrad_step(p[i], g[i], acc[i], c);
    g[i] = 0.0f;
  }
}

}  // namespace

void adam_update(float* p, const float* g, float* m, float* v, std::size_t n, const AdamConfig& c, std::uint64_t step,
                 ThreadPool* pool) {
  const AdamStep s(c, step);
  run_in_chunks(pool, n, kChunk, [&](std::size_t b, std::size_t e) {
    s.apply(p + b, g + b, m + b, v + b, e - b);
  });
}

void adam_update_zeroing_grads(float* p, float* g, float* m, float* v, std::size_t n, const AdamConfig& c,
                               std::uint64_t step, ThreadPool* pool) {
  const AdamStep s(c, step);
  run_in_chunks(pool, n, kChunk, [&](std::size_t b, std::size_t e) {
    s.apply_zeroing(p + b, g + b, m + b, v + b, e - b);
  });
}

void adam_update_rows(float* table, float* m, float* v, std::uint32_t dim, const SparseRows& rows, const AdamConfig& c,
                      std::uint64_t step) {
  const AdamStep s(c, step);
  for (std::size_t k = 0; k < rows.ids.size(); ++k) {
    if (k + kRowsAhead < rows.ids.size()) {
      const std::size_t ahead = std::size_t{rows.ids[k + kRowsAhead]} * dim;
      prefetch_row(table + ahead, dim);
      prefetch_row(m + ahead, dim);
      prefetch_row(v + ahead, dim);
    }
    const std::size_t base = std::size_t{rows.ids[k]} * dim;
    const float* g = rows.grads.data() + k * dim;
    s.apply(table + base, g, m + base, v + base, dim);
  }
}

void adagrad_update(float* p, const float* g, float* acc, std::size_t n, const AdagradConfig& c, ThreadPool* pool) {
  run_in_chunks(pool, n, kChunk, [&](std::size_t b, std::size_t e) { adagrad_apply(p + b, g + b, acc + b, e - b, c); });
}

void adagrad_update_zeroing_grads(float* p, float* g, float* acc, std::size_t n, const AdagradConfig& c,
                                  ThreadPool* pool) {
  run_in_chunks(pool, n, kChunk,
                [&](std::size_t b, std::size_t e) { adagrad_apply_zeroing(p + b, g + b, acc + b, e - b, c); });
}

void adagrad_update_rows(float* table, float* acc, std::uint32_t dim, const SparseRows& rows, const AdagradConfig& c) {
  for (std::size_t k = 0; k < rows.ids.size(); ++k) {
    if (k + kRowsAhead < rows.ids.size()) {
      const std::size_t ahead = std::size_t{rows.ids[k + kRowsAhead]} * dim;
      prefetch_row(table + ahead, dim);
      prefetch_row(acc + ahead, dim);
    }
    const std::size_t base = std::size_t{rows.ids[k]} * dim;
    const float* g = rows.grads.data() + k * dim;
    adagrad_apply(table + base, g, acc + base, dim, c);
  }
}

}  // namespace mmn
