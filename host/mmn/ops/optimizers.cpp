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

// Over n contiguous values; restrict lets the compiler vectorise the loops (the sqrt and the
// division dominate when they run scalar).
void adam_apply(const AdamStep& s, float* __restrict__ p, const float* __restrict__ g, float* __restrict__ m,
                float* __restrict__ v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) adam_element(s, p[i], g[i], m[i], v[i]);
}

void adam_apply_zeroing(const AdamStep& s, float* __restrict__ p, float* __restrict__ g, float* __restrict__ m,
                        float* __restrict__ v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    adam_element(s, p[i], g[i], m[i], v[i]);
    g[i] = 0.0f;
  }
}

void adagrad_apply(const AdagradStep& s, float* __restrict__ p, const float* __restrict__ g,
                   float* __restrict__ acc, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) adagrad_element(s, p[i], g[i], acc[i]);
}

void adagrad_apply_zeroing(const AdagradStep& s, float* __restrict__ p, float* __restrict__ g,
                           float* __restrict__ acc, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    adagrad_element(s, p[i], g[i], acc[i]);
    g[i] = 0.0f;
  }
}

}  // namespace

AdamStep adam_step(const AdamConfig& c, std::uint64_t step) {
  return make_adam_step(c.lr, c.beta1, c.beta2, c.eps, c.l2, c.l2_center, step);
}
AdagradStep adagrad_step(const AdagradConfig& c) { return {c.lr, c.eps, c.l2, c.l2_center}; }

void adam_update(float* p, const float* g, float* m, float* v, std::size_t n, const AdamConfig& c, std::uint64_t step,
                 ThreadPool* pool) {
  const AdamStep s = adam_step(c, step);
  run_in_chunks(pool, n, kChunk, [&](std::size_t b, std::size_t e) { adam_apply(s, p + b, g + b, m + b, v + b, e - b); });
}

void adam_update_zeroing_grads(float* p, float* g, float* m, float* v, std::size_t n, const AdamConfig& c,
                               std::uint64_t step, ThreadPool* pool) {
  adam_step_zeroing_grads(p, g, m, v, n, adam_step(c, step), pool);
}

void adam_step_zeroing_grads(float* p, float* g, float* m, float* v, std::size_t n, const AdamStep& s,
                             ThreadPool* pool) {
  run_in_chunks(pool, n, kChunk,
                [&](std::size_t b, std::size_t e) { adam_apply_zeroing(s, p + b, g + b, m + b, v + b, e - b); });
}

void adam_update_rows(float* table, float* m, float* v, std::uint32_t dim, const SparseRows& rows, const AdamConfig& c,
                      std::uint64_t step) {
  adam_step_rows(table, m, v, dim, rows, adam_step(c, step));
}

void adam_step_rows(float* table, float* m, float* v, std::uint32_t dim, const SparseRows& rows, const AdamStep& s) {
  for (std::size_t k = 0; k < rows.ids.size(); ++k) {
    if (k + kRowsAhead < rows.ids.size()) {
      const std::size_t ahead = std::size_t{rows.ids[k + kRowsAhead]} * dim;
      prefetch_row(table + ahead, dim);
      prefetch_row(m + ahead, dim);
      prefetch_row(v + ahead, dim);
    }
    const std::size_t base = std::size_t{rows.ids[k]} * dim;
    const float* g = rows.grads.data() + k * dim;
    adam_apply(s, table + base, g, m + base, v + base, dim);
  }
}

void adagrad_update(float* p, const float* g, float* acc, std::size_t n, const AdagradConfig& c, ThreadPool* pool) {
  const AdagradStep s = adagrad_step(c);
  run_in_chunks(pool, n, kChunk, [&](std::size_t b, std::size_t e) { adagrad_apply(s, p + b, g + b, acc + b, e - b); });
}

void adagrad_update_zeroing_grads(float* p, float* g, float* acc, std::size_t n, const AdagradConfig& c,
                                  ThreadPool* pool) {
  adagrad_step_zeroing_grads(p, g, acc, n, adagrad_step(c), pool);
}

void adagrad_step_zeroing_grads(float* p, float* g, float* acc, std::size_t n, const AdagradStep& s,
                                ThreadPool* pool) {
  run_in_chunks(pool, n, kChunk,
                [&](std::size_t b, std::size_t e) { adagrad_apply_zeroing(s, p + b, g + b, acc + b, e - b); });
}

void adagrad_update_rows(float* table, float* acc, std::uint32_t dim, const SparseRows& rows, const AdagradConfig& c) {
  adagrad_step_rows(table, acc, dim, rows, adagrad_step(c));
}

void adagrad_step_rows(float* table, float* acc, std::uint32_t dim, const SparseRows& rows, const AdagradStep& s) {
  for (std::size_t k = 0; k < rows.ids.size(); ++k) {
    if (k + kRowsAhead < rows.ids.size()) {
      const std::size_t ahead = std::size_t{rows.ids[k + kRowsAhead]} * dim;
      prefetch_row(table + ahead, dim);
      prefetch_row(acc + ahead, dim);
    }
    const std::size_t base = std::size_t{rows.ids[k]} * dim;
    const float* g = rows.grads.data() + k * dim;
    adagrad_apply(s, table + base, g, acc + base, dim);
  }
}

}  // namespace mmn
