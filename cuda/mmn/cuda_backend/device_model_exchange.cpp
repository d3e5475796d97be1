#include <algorithm>
#include <string>

#include "mmn/cuda_backend/device_model_state.h"

namespace mmn::device {

void DeviceModel::State::GatheredRows::reserve(std::size_t entries, std::uint32_t dim) {
  if (entries <= ids.size() && workspace) return;
  const std::size_t n = std::max<std::size_t>(entries, 1);
  ids = DeviceBuffer<std::uint32_t>(n);
  grads = DeviceBuffer<float>(n * dim);
  workspace = std::make_unique<kernels::EmbeddingBackwardWorkspace>(static_cast<std::uint32_t>(n));
}

std::vector<std::uint32_t> DeviceModel::sparse_gradient_counts() {
  State& s = *s_;
  std::vector<std::uint32_t> counts(s.tables.size());
  for (std::size_t t = 0; t < counts.size(); ++t) copy_to_host(&counts[t], s.sparse_count[t].data(), 4, s.compute);
  s.compute.synchronize();
  return counts;
}

void DeviceModel::merge_sparse_gradients_across_ranks(const std::vector<std::vector<std::uint32_t>>& counts,
                                                      const RankGatherer& gather) {
  State& s = *s_;
  const std::uint32_t dim = s.spec.embedding_dim;
  for (std::size_t t = 0; t < s.tables.size(); ++t) {
    std::vector<std::size_t> id_bytes, grad_bytes;
    std::size_t total = 0;
    for (const std::vector<std::uint32_t>& rank : counts) {
      if (rank.size() != s.tables.size())
        throw DeviceError("DeviceModel: a rank's sparse gradient counts cover " + std::to_string(rank.size()) +
                          " tables, the model has " + std::to_string(s.tables.size()));
      id_bytes.push_back(4 * std::size_t{rank[t]});
      grad_bytes.push_back(4 * std::size_t{rank[t]} * dim);
      total += rank[t];
    }
    if (total > 0xffffffffu) throw DeviceError("DeviceModel: more than 2^32 sparse gradient rows to merge");
    s.gathered.reserve(total, dim);
    gather(s.unique_ids[t].data(), id_bytes, s.gathered.ids.data(), static_cast<void*>(s.compute.get()));
    gather(s.sparse_grads[t].data(), grad_bytes, s.gathered.grads.data(), static_cast<void*>(s.compute.get()));
    if (total > s.unique_ids[t].size()) {  // the merged rows may outnumber one batch's
      s.compute.synchronize();             // the gathers read the old buffers
      s.unique_ids[t] = DeviceBuffer<std::uint32_t>(total);
      s.sparse_grads[t] = DeviceBuffer<float>(total * dim);
    }
    s.sparse_bound[t] = static_cast<std::uint32_t>(std::max<std::size_t>(total, 1));
    if (total == 0) {
      fill_zero(s.sparse_count[t].data(), 4, s.compute);
      continue;
    }
    kernels::EmbeddingFieldGrad out;
    out.vocab = static_cast<std::uint32_t>(s.spec.table_rows[t]);
    out.unique_ids = s.unique_ids[t].data(), out.grads = s.sparse_grads[t].data(), out.count = s.sparse_count[t].data();
    kernels::merge_rank_rows(s.gathered.ids.data(), s.gathered.grads.data(), static_cast<std::uint32_t>(total), dim,
                             out, *s.gathered.workspace, s.compute.get());
  }
  s.compute.synchronize();
}

DeviceModel::RankGatherer DeviceModel::gather_through_host(
    int rank, std::function<std::vector<std::string>(const std::string&)> all_gather) {
  State* s = s_.get();
  return [s, rank, all_gather = std::move(all_gather)](const void* mine, const std::vector<std::size_t>& sizes,
                                                       void* into, void*) {
    std::string bytes(sizes.at(static_cast<std::size_t>(rank)), '\0');
    copy_to_host(bytes.data(), mine, bytes.size(), s->compute);
    s->compute.synchronize();
    const std::vector<std::string> parts = all_gather(bytes);
    if (parts.size() != sizes.size())
      throw DeviceError("DeviceModel: the gather returned " + std::to_string(parts.size()) + " ranks' rows, expected " +
                        std::to_string(sizes.size()));
    std::string joined;
    for (std::size_t r = 0; r < parts.size(); ++r) {
      if (parts[r].size() != sizes[r])
        throw DeviceError("DeviceModel: rank " + std::to_string(r) + " sent " + std::to_string(parts[r].size()) +
                          " bytes of sparse gradients, its count says " + std::to_string(sizes[r]));
      joined += parts[r];
    }
    copy_to_device(into, joined.data(), joined.size(), s->compute);
    s->compute.synchronize();  // `joined` lives on this stack frame
  };
}

}  // namespace mmn::device
