#pragma once
// The input of both towers: h0 = [E_0[id_0], ..., E_{F-1}[id_{F-1}], dense_0, ..., dense_{D-1}]
// per row, and the sparse gradient of the embedding tables: the touched ids of each
// field, ascending, with their summed gradient rows.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mmn {

class ThreadPool;

struct SparseRows {
  std::vector<std::uint32_t> ids;  // ascending, unique
  std::vector<float> grads;        // ids.size() x dim
};

// h0: n x (F * dim + D), row-major.
void embedding_gather(const std::vector<const float*>& tables, std::uint32_t dim,
                      const std::vector<const std::uint32_t*>& ids, const std::vector<const float*>& dense,
                      std::size_t n, float* h0);

// dh0: n x h0_width; field f's slice starts at column f * dim. One SparseRows per field.
void embedding_backward(std::uint32_t dim, const std::vector<const std::uint32_t*>& ids, std::size_t n,
                        const float* dh0, std::size_t h0_width, std::vector<SparseRows>& out, ThreadPool& pool);

}  // namespace mmn
