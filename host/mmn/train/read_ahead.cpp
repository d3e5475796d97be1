#include "mmn/train/read_ahead.h"

#include <utility>

namespace mmn {

ColumnView TrainingBatch::view() const {
  ColumnView v = view_of(rows);
  if (domain.size() == rows.rows() && !domain.empty()) v.domain = domain.data();
  return v;
}

ReadAheadBatches::ReadAheadBatches(BatchLoader& loader, std::uint32_t epochs,
                                   std::function<void(TrainingBatch&)> prepare,
                                   std::function<void(const TrainingBatch&)> prefetch)
    : loader_(loader), epochs_(epochs), prepare_(std::move(prepare)), prefetch_(std::move(prefetch)) {}

const TrainingBatch* ReadAheadBatches::next(bool read_ahead) {
  for (;;) {
    if (next_ready_) {
      std::swap(batch_, next_batch_);
      after_batch_ = after_next_;
      next_ready_ = false;
    } else if (at_epoch_end_ || !loader_.next(batch_.rows)) {  // every rank reaches an epoch's end at the same batch
      at_epoch_end_ = false;
      if (epochs_ > 0 && loader_.position().epoch >= epochs_) return nullptr;
      continue;
    } else {
      after_batch_ = loader_.position();
      prepare_(batch_);
    }
    if (read_ahead) {
      next_ready_ = loader_.next(next_batch_.rows);
      at_epoch_end_ = !next_ready_;
      if (next_ready_) {
        prepare_(next_batch_);
        after_next_ = loader_.position();
        prefetch_(next_batch_);
      }
    }
    return &batch_;
  }
}

}  // namespace mmn
