#pragma once
// The training loop's batches, read one ahead: the next batch goes to the backend
// (prefetch) while it works on the current one. Each batch is prepared as it is read (its
// rare ids mapped, its rows' domain ids worked out). A checkpoint records position(): the
// position after the current batch, not after the one read ahead.
#include <cstdint>
#include <functional>
#include <vector>

#include "mmn/data/column_block.h"
#include "mmn/data/column_view.h"
#include "mmn/train/batch_loader.h"

namespace mmn {

// A batch's rows and, once prepared, each row's domain id.
struct TrainingBatch {
  ColumnBlock rows;
  std::vector<std::uint32_t> domain;
  // The rows, with the domain ids when they are worked out.
  ColumnView view() const;
};

class ReadAheadBatches {
 public:
  // `prepare` readies a batch read from the loader; `prefetch` hands a batch read ahead to the
  // backend. With `epochs` > 0 the batches end after that many epochs; with 0 they never end.
  ReadAheadBatches(BatchLoader& loader, std::uint32_t epochs, std::function<void(TrainingBatch&)> prepare,
                   std::function<void(const TrainingBatch&)> prefetch);

  // The next batch (reading the one after it when `read_ahead`), or null when the epochs
  // are done. An empty epoch end is skipped.
  const TrainingBatch* next(bool read_ahead);
  LoaderPosition position() const { return next_ready_ ? after_batch_ : loader_.position(); }

 private:
  BatchLoader& loader_;
  std::uint32_t epochs_;
  std::function<void(TrainingBatch&)> prepare_;
  std::function<void(const TrainingBatch&)> prefetch_;
  TrainingBatch batch_, next_batch_;
  bool next_ready_ = false, at_epoch_end_ = false;
  LoaderPosition after_batch_, after_next_;
};

}  // namespace mmn
