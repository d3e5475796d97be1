#include "mmn/train/batch_loader.h"

#include <algorithm>
#include <utility>

#include "mmn/util/error.h"
#include "mmn/util/rng.h"

namespace mmn {
namespace {

template <typename T>
void shuffle(std::vector<T>& v, std::size_t begin, std::size_t end, Rng& rng) {
  for (std::size_t i = end - begin; i > 1; --i) std::swap(v[begin + i - 1], v[begin + rng.below(i)]);
}

}  // namespace

BatchLoader::BatchLoader(const Dataset& data, std::uint32_t batch_size, std::uint64_t seed,
                         std::uint32_t shuffle_window, std::uint32_t rank, std::uint32_t world,
                         std::vector<std::size_t> groups)
    : data_(data),
      batch_size_(batch_size),
      seed_(seed),
      shuffle_window_(std::max<std::uint32_t>(shuffle_window, 1)),
      rank_(rank),
      world_(world),
      groups_(std::move(groups)) {
  if (groups_.empty()) {
    groups_.resize(data_.row_groups().size());
    for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g] = g;
  }
  for (const std::size_t g : groups_)
    if (g >= data_.row_groups().size()) fail("{}: row group {} does not exist", data.path(), g);
  if (batch_size_ == 0) fail("train.batch_size must be at least 1");
  if (world_ == 0 || rank_ >= world_) fail("rank {} of {} processes is not valid", rank_, world_);
  build_epoch_order();
  if (order_.size() < world_) fail("{}: {} rows cannot feed {} processes", data.path(), order_.size(), world_);
}

void BatchLoader::build_epoch_order() {
  if (order_epoch_ == position_.epoch) return;
  Rng rng(seed_ ^ 0x6c6f61646572ull, RngStream::rows, position_.epoch);
  std::vector<std::size_t> groups = groups_;
  shuffle(groups, 0, groups.size(), rng);
  order_.clear();
  std::size_t window_start = 0, in_window = 0;
  for (std::size_t k = 0; k < groups.size(); ++k) {
    const RowGroupRef& g = data_.row_groups()[groups[k]];
    const RowRange r = data_.shards()[g.shard].group_rows(g.group);
    for (std::uint64_t row = r.begin; row < r.end; ++row)
      order_.emplace_back(g.shard, static_cast<std::uint32_t>(row));
    if (++in_window == shuffle_window_) {
      shuffle(order_, window_start, order_.size(), rng);
      window_start = order_.size();
      in_window = 0;
    }
  }
  shuffle(order_, window_start, order_.size(), rng);
  order_epoch_ = position_.epoch;
}

void BatchLoader::seek(LoaderPosition position) {
  position_ = position;
  build_epoch_order();
  if (position_.batch > batches_per_epoch())
    fail("cannot resume at batch {} of epoch {}: the data has only {} batches per epoch", position_.batch,
         position_.epoch, batches_per_epoch());
}

bool BatchLoader::next(ColumnBlock& out) {
  build_epoch_order();
  const std::uint64_t begin = position_.batch * batch_size_;
  if (begin >= order_.size()) {
    position_ = {position_.epoch + 1, 0};
    return false;
  }
  const std::uint64_t global_rows = std::min<std::uint64_t>(begin + batch_size_, order_.size()) - begin;
  if (global_rows < world_) {  // a last batch too small to give every rank a row: all ranks skip it
    position_ = {position_.epoch + 1, 0};
    return false;
  }
  const std::uint64_t first = begin + rank_ * global_rows / world_;
  const std::size_t n = begin + (rank_ + 1) * global_rows / world_ - first;
  out.resize(data_.schema(), n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto [shard, row] = order_[first + i];
    const ColumnView& v = data_.shards()[shard].columns();
    out.click[i] = v.click[row];
    out.conv[i] = v.conv[row];
    out.type[i] = v.type[row];
    out.scenario[i] = v.scenario[row];
    for (std::size_t f = 0; f < v.categorical.size(); ++f) out.categorical[f][i] = v.categorical[f][row];
    for (std::size_t f = 0; f < v.dense.size(); ++f) out.dense[f][i] = v.dense[f][row];
    if (v.p_ctr != nullptr) {
      out.p_ctr[i] = v.p_ctr[row];
      out.p_cvr[i] = v.p_cvr[row];
    }
  }
  position_.batch += 1;
  return true;
}

}  // namespace mmn
