#pragma once
// The training loop's batches, read one ahead: the next batch goes to the backend
// (prefetch) while it works on the current one. Rare ids are mapped as batches are
// read. A checkpoint records position(): the position after the current batch, not
// after the one read ahead.
#include <cstdint>
#include <functional>

#include "mmn/data/column_block.h"
#include "mmn/train/batch_loader.h"

namespace mmn {

class ReadAheadBatches {
 public:
  // `prepare` maps a batch's rare ids; `prefetch` hands a batch read ahead to the backend.
  // With `epochs` > 0 the batches end after that many epochs; with 0 they never end.
  ReadAheadBatches(BatchLoader& loader, std::uint32_t epochs, std::function<void(ColumnBlock&)> prepare,
                   std::function<void(const ColumnBlock&)> prefetch);

  // The next batch (reading the one after it when `read_ahead`), or null when the epochs
  // are done. An empty epoch end is skipped.
  const ColumnBlock* next(bool read_ahead);
  LoaderPosition position() const { return next_ready_ ? after_batch_ : loader_.position(); }

 private:
  BatchLoader& loader_;
  std::uint32_t epochs_;
  std::function<void(ColumnBlock&)> prepare_;
  std::function<void(const ColumnBlock&)> prefetch_;
  ColumnBlock batch_, next_batch_;
  bool next_ready_ = false, at_epoch_end_ = false;
  LoaderPosition after_batch_, after_next_;
};

}  // namespace mmn
