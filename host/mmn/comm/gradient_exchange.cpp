#include "mmn/comm/gradient_exchange.h"

#include <cstring>
#include <limits>

#include "mmn/util/error.h"

namespace mmn {

void sum_loss_counts(Communicator& comm, LossCounts& counts) {
  if (comm.size() == 1) return;
  std::vector<std::uint64_t> all{counts.rows, counts.cvr_rows};
  all.insert(all.end(), counts.cvr_domain.begin(), counts.cvr_domain.end());
  comm.sum(all.data(), all.size());
  counts.rows = all[0];
  counts.cvr_rows = all[1];
  std::copy(all.begin() + 2, all.end(), counts.cvr_domain.begin());
}

void sum_dense_gradients(Communicator& comm, std::vector<float>& grads) {
  if (comm.size() > 1) comm.sum(grads.data(), grads.size());
}

SparseRows merge_sparse_rows(const std::vector<SparseRows>& per_rank, std::uint32_t dim) {
  SparseRows out;
  std::vector<std::size_t> cursor(per_rank.size(), 0);
  constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
  while (true) {
    std::uint32_t next = kNone;
    for (std::size_t r = 0; r < per_rank.size(); ++r)
      if (cursor[r] < per_rank[r].ids.size() && per_rank[r].ids[cursor[r]] < next) next = per_rank[r].ids[cursor[r]];
    if (next == kNone) break;
    out.ids.push_back(next);
    out.grads.resize(out.grads.size() + dim, 0.0f);
    float* row = out.grads.data() + out.grads.size() - dim;
    for (std::size_t r = 0; r < per_rank.size(); ++r) {
      if (cursor[r] >= per_rank[r].ids.size() || per_rank[r].ids[cursor[r]] != next) continue;
      const float* src = per_rank[r].grads.data() + cursor[r] * dim;
      for (std::uint32_t j = 0; j < dim; ++j) row[j] += src[j];
      ++cursor[r];
    }
  }
  return out;
}

std::string encode_sparse_rows(const SparseRows& rows) {
  const std::uint64_t n = rows.ids.size();
  std::string bytes(sizeof n + rows.ids.size() * sizeof(std::uint32_t) + rows.grads.size() * sizeof(float), '\0');
  char* at = bytes.data();
  std::memcpy(at, &n, sizeof n);
  at += sizeof n;
  if (n == 0) return bytes;  // empty vectors may hold no storage at all
  std::memcpy(at, rows.ids.data(), rows.ids.size() * sizeof(std::uint32_t));
  at += rows.ids.size() * sizeof(std::uint32_t);
  if (!rows.grads.empty()) std::memcpy(at, rows.grads.data(), rows.grads.size() * sizeof(float));
  return bytes;
}

SparseRows decode_sparse_rows(const std::string& bytes, std::uint32_t dim, const std::string& what) {
  std::uint64_t n = 0;
  if (bytes.size() < sizeof n) fail("{}: a sparse gradient message of {} bytes is too short", what, bytes.size());
  std::memcpy(&n, bytes.data(), sizeof n);
  const std::uint64_t row_bytes = sizeof(std::uint32_t) + std::uint64_t{dim} * sizeof(float);
  if (n > (bytes.size() - sizeof n) / row_bytes || sizeof n + n * row_bytes != bytes.size())
    fail("{}: a sparse gradient message of {} bytes does not hold {} rows of dimension {}", what, bytes.size(), n, dim);
  SparseRows rows;
  if (n == 0) return rows;
  rows.ids.resize(n);
  rows.grads.resize(n * dim);
  std::memcpy(rows.ids.data(), bytes.data() + sizeof n, n * sizeof(std::uint32_t));
  if (!rows.grads.empty())
    std::memcpy(rows.grads.data(), bytes.data() + sizeof n + n * sizeof(std::uint32_t),
                rows.grads.size() * sizeof(float));
  for (std::size_t i = 1; i < rows.ids.size(); ++i)
    if (rows.ids[i] <= rows.ids[i - 1]) fail("{}: sparse gradient ids are not ascending and unique", what);
  return rows;
}

void merge_sparse_gradients(Communicator& comm, std::vector<SparseRows>& tables, const std::vector<std::uint32_t>& dims) {
  if (comm.size() == 1) return;
  for (std::size_t t = 0; t < tables.size(); ++t) {
    const std::vector<std::string> parts = comm.all_gather(encode_sparse_rows(tables[t]));
    std::vector<SparseRows> per_rank;
    for (std::size_t r = 0; r < parts.size(); ++r)
      per_rank.push_back(decode_sparse_rows(parts[r], dims[t], "embedding table " + std::to_string(t) + " from rank " +
                                                                   std::to_string(r)));
    tables[t] = merge_sparse_rows(per_rank, dims[t]);
  }
}

}  // namespace mmn
