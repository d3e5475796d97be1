#include "mmn/ops/embedding.h"

#include <algorithm>
#include <numeric>
#include <utility>

#include "mmn/ops/copy_floats.h"
#include "mmn/util/thread_pool.h"

namespace mmn {
namespace {
// Table rows are scattered over megabytes: rows this far ahead are requested early, so that
// several misses are in flight at once.
constexpr std::size_t kRowsAhead = 4;

constexpr int kRadixBits = 11;
constexpr std::uint32_t kBuckets = 1u << kRadixBits;

// The rows 0..n-1 ordered by id, rows of one id in ascending order: a least-significant-digit
// radix sort, stable in each pass, over as many digits as the largest id has.
void rows_by_id(const std::uint32_t* id, std::size_t n, std::vector<std::uint32_t>& rows,
                std::vector<std::uint32_t>& spare) {
  rows.resize(n);
  spare.resize(n);
  std::iota(rows.begin(), rows.end(), 0u);
  const std::uint32_t largest = n == 0 ? 0 : *std::max_element(id, id + n);
  std::uint32_t count[kBuckets];
  for (int shift = 0; shift < 32 && (largest >> shift) != 0; shift += kRadixBits) {
    std::fill(count, count + kBuckets, 0u);
    for (std::size_t k = 0; k < n; ++k) ++count[(id[rows[k]] >> shift) & (kBuckets - 1)];
    std::uint32_t start = 0;
    for (std::uint32_t& c : count) start += std::exchange(c, start);
    for (std::size_t k = 0; k < n; ++k) spare[count[(id[rows[k]] >> shift) & (kBuckets - 1)]++] = rows[k];
    rows.swap(spare);
  }
}

}  // namespace

void embedding_gather(const std::vector<const float*>& tables, std::uint32_t dim,
                      const std::vector<const std::uint32_t*>& ids, const std::vector<const float*>& dense,
                      std::size_t n, float* h0) {
  const std::size_t fields = tables.size();
  const std::size_t width = fields * dim + dense.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i + kRowsAhead < n)
      for (std::size_t f = 0; f < fields; ++f)
        for (std::uint32_t j = 0; j < dim; j += 16)
          __builtin_prefetch(tables[f] + std::size_t{ids[f][i + kRowsAhead]} * dim + j);
    float* row = h0 + i * width;
    for (std::size_t f = 0; f < fields; ++f) copy_floats(row + f * dim, tables[f] + std::size_t{ids[f][i]} * dim, dim);
    for (std::size_t j = 0; j < dense.size(); ++j) row[fields * dim + j] = dense[j][i];
  }
}

void embedding_backward(std::uint32_t dim, const std::vector<const std::uint32_t*>& ids, std::size_t n,
                        const float* dh0, std::size_t h0_width, std::vector<SparseRows>& out, ThreadPool& pool) {
  out.resize(ids.size());
  pool.run(ids.size(), [&](std::size_t f) {
    const std::uint32_t* id = ids[f];
    thread_local std::vector<std::uint32_t> rows, spare;
    // Rows of one id stay in row order, so each id's gradient is summed in row order whatever the thread count.
    rows_by_id(id, n, rows, spare);
    SparseRows& s = out[f];
    std::size_t unique = 0;
    for (std::size_t k = 0; k < n; ++k) unique += k == 0 || id[rows[k]] != id[rows[k - 1]] ? 1 : 0;
    s.ids.resize(unique);
    s.grads.assign(unique * dim, 0.0f);
    float* g = s.grads.data();
    for (std::size_t k = 0, u = 0; k < n; ++u, g += dim) {
      const std::uint32_t current = id[rows[k]];
      s.ids[u] = current;
      for (; k < n && id[rows[k]] == current; ++k) {
        const float* src = dh0 + std::size_t{rows[k]} * h0_width + f * dim;
        for (std::uint32_t j = 0; j < dim; ++j) g[j] += src[j];
      }
    }
  });
}

}  // namespace mmn
