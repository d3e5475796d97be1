#pragma once
// Batches for training, from a data set. Each epoch visits the row groups in a
// seeded random order and shuffles rows within windows of `shuffle_window` groups,
// which keeps reads local. The order depends only on (seed, epoch), so a position
// (epoch, batch) is enough to resume exactly. Under data parallelism batch_size is the
// global batch: every rank walks the same order and takes its contiguous share of each
// batch (rank r: rows [r n / P, (r + 1) n / P) of its n rows), so P ranks train on exactly
// the rows one process would, and reads stay within the row groups of its share. A loader may be
// given a subset of the row groups (the rest held out for validation).
#include <cstdint>
#include <vector>

#include "mmn/data/column_block.h"
#include "mmn/data/dataset.h"

namespace mmn {

struct LoaderPosition {
  std::uint64_t epoch = 0;
  std::uint64_t batch = 0;  // batches already taken in this epoch
  bool operator==(const LoaderPosition& o) const { return epoch == o.epoch && batch == o.batch; }
};

class BatchLoader {
 public:
  // groups: indices into data.row_groups() to train on; empty: all of them.
  BatchLoader(const Dataset& data, std::uint32_t batch_size, std::uint64_t seed, std::uint32_t shuffle_window = 4,
              std::uint32_t rank = 0, std::uint32_t world = 1, std::vector<std::size_t> groups = {});

  // This rank's share of the next batch into `out` (the last batch of an epoch may be shorter;
  // one with fewer rows than ranks is skipped).
  // Returns false, and moves to the next epoch, when the epoch has no rows left.
  bool next(ColumnBlock& out);

  LoaderPosition position() const { return position_; }
  void seek(LoaderPosition position);
  std::uint64_t rows_per_epoch() const { return order_.size(); }
  std::uint64_t batches_per_epoch() const { return (order_.size() + batch_size_ - 1) / batch_size_; }

 private:
  void build_epoch_order();

  const Dataset& data_;
  std::uint32_t batch_size_;
  std::uint64_t seed_;
  std::uint32_t shuffle_window_;
  std::uint32_t rank_;
  std::uint32_t world_;
  std::vector<std::size_t> groups_;
  LoaderPosition position_;
  std::uint64_t order_epoch_ = ~0ull;
  // Rows of this epoch in visiting order: (shard, row within shard).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> order_;
};

}  // namespace mmn
