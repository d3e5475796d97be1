#include "mmn/ops/embedding.h"

#include <algorithm>
#include <cstring>
#include <numeric>

#include "mmn/util/thread_pool.h"

namespace mmn {

void embedding_gather(const std::vector<const float*>& tables, std::uint32_t dim,
                      const std::vector<const std::uint32_t*>& ids, const std::vector<const float*>& dense,
                      std::size_t n, float* h0) {
  const std::size_t fields = tables.size();
  const std::size_t width = fields * dim + dense.size();
  for (std::size_t i = 0; i < n; ++i) {
    float* row = h0 + i * width;
    for (std::size_t f = 0; f < fields; ++f)
      std::memcpy(row + f * dim, tables[f] + std::size_t{ids[f][i]} * dim, dim * sizeof(float));
    for (std::size_t j = 0; j < dense.size(); ++j) row[fields * dim + j] = dense[j][i];
  }
}

void embedding_backward(std::uint32_t dim, const std::vector<const std::uint32_t*>& ids, std::size_t n,
                        const float* dh0, std::size_t h0_width, std::vector<SparseRows>& out, ThreadPool& pool) {
  out.resize(ids.size());
  pool.run(ids.size(), [&](std::size_t f) {
    const std::uint32_t* id = ids[f];
    std::vector<std::uint32_t> rows(n);
    std::iota(rows.begin(), rows.end(), 0u);
    // Stable by row, so each id's gradient is summed in row order whatever the thread count.
    std::stable_sort(rows.begin(), rows.end(), [&](std::uint32_t a, std::uint32_t b) { return id[a] < id[b]; });
    SparseRows& s = out[f];
    s.ids.clear();
    s.grads.clear();
    for (std::size_t k = 0; k < n;) {
      const std::uint32_t current = id[rows[k]];
      s.ids.push_back(current);
      s.grads.resize(s.ids.size() * dim, 0.0f);
      float* g = s.grads.data() + (s.ids.size() - 1) * dim;
      for (; k < n && id[rows[k]] == current; ++k) {
        const float* src = dh0 + std::size_t{rows[k]} * h0_width + f * dim;
        for (std::uint32_t j = 0; j < dim; ++j) g[j] += src[j];
      }
    }
  });
}

}  // namespace mmn
