#pragma once
// A batch's columns copied into device memory through two pinned staging slots on a copy
// stream, so that the copy of the next batch overlaps the current step's kernels. A slot holds
// one block: the device pointer arrays the embedding gather takes (one per embedded field, one
// per dense feature), then the u32 columns (categorical ids, domain, and type and scenario when
// the model embeds them), the f32 dense features, and the u8 labels last, so every column stays
// aligned.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "mmn/cuda_backend/device_model.h"
#include "mmn/cuda_backend/device_runtime.h"
#include "mmn/device/device_buffer.h"

namespace mmn::device {

// A batch's columns in device memory.
struct StagedBatch {
  std::size_t rows = 0;
  std::vector<const std::uint32_t*> ids;  // one per embedded field
  const std::uint32_t* domain = nullptr;
  const std::uint8_t *click = nullptr, *conv = nullptr;
  const std::uint32_t* const* id_pointers = nullptr;  // ids, as a device array
  const float* const* dense_pointers = nullptr;
};

class BatchStaging {
 public:
  // The streams must outlive this.
  BatchStaging(const ModelSpec& spec, const Stream& copy, const Stream& compute);
  // Device memory of both slots for batches of `rows` rows.
  static std::size_t device_bytes(const ModelSpec& spec, std::size_t rows);

  // The step's batch: the one read ahead when it is that batch, else copied in now. The compute
  // stream waits for its copy.
  const StagedBatch& take(const HostBatch& batch);
  // The compute stream's work queued so far is the last to read the batch taken.
  void release();
  // Read-ahead: the batch the next take() is expected to get (its host memory must stay valid
  // until then); stage_announced() copies it in, drop_announced() forgets it.
  void announce(const HostBatch& next) { announced_ = next; }
  void stage_announced();
  void drop_announced();

 private:
  struct Slot {
    PinnedBuffer<std::uint8_t> host;
    DeviceBuffer<std::uint8_t> device;
    Event ready, consumed;
    bool used = false;
  };
  struct Staged {
    StagedBatch batch;
    Slot* slot = nullptr;
    const std::uint8_t* host_click = nullptr;  // which host batch it came from
    bool holds(const HostBatch& b) const { return slot != nullptr && batch.rows == b.rows && host_click == b.click; }
  };
  Staged stage(const HostBatch& b);

  std::uint32_t categorical_fields_, dense_features_, max_rows_;
  bool embeds_domain_;
  const Stream& copy_;
  const Stream& compute_;
  Slot slots_[2];
  unsigned next_slot_ = 0;
  Staged current_, next_;
  std::optional<HostBatch> announced_;
};

}  // namespace mmn::device
