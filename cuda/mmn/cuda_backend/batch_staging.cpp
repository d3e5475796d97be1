#include "mmn/cuda_backend/batch_staging.h"

#include <cstring>
#include <string>

namespace mmn::device {
namespace {

std::size_t u32_columns(const ModelSpec& spec) { return spec.categorical_fields + 1 + (spec.embeds_domain ? 2 : 0); }
std::size_t header_bytes(const ModelSpec& spec) { return 8 * (spec.table_rows.size() + spec.dense_features); }
std::size_t slot_bytes(const ModelSpec& spec, std::size_t rows) {
  return header_bytes(spec) + rows * (4 * (u32_columns(spec) + spec.dense_features) + 2);
}

}  // namespace

BatchStaging::BatchStaging(const ModelSpec& spec, const Stream& copy, const Stream& compute)
    : categorical_fields_(spec.categorical_fields),
      dense_features_(spec.dense_features),
      max_rows_(spec.max_rows),
      embeds_domain_(spec.embeds_domain),
      copy_(copy),
      compute_(compute) {
  for (Slot& slot : slots_) {
    slot.host = PinnedBuffer<std::uint8_t>(slot_bytes(spec, spec.max_rows));
    slot.device = DeviceBuffer<std::uint8_t>(slot_bytes(spec, spec.max_rows));
  }
}

std::size_t BatchStaging::device_bytes(const ModelSpec& spec, std::size_t rows) { return 2 * slot_bytes(spec, rows); }

// Packed into the next slot's pinned memory, then one asynchronous copy on the copy stream. A
// slot is reused only after the compute stream has finished with its previous batch.
BatchStaging::Staged BatchStaging::stage(const HostBatch& b) {
  if (b.rows > max_rows_)
    throw DeviceError("DeviceModel: a batch of " + std::to_string(b.rows) + " rows exceeds the " +
                      std::to_string(max_rows_) + " it was sized for");
  if (b.categorical.size() != categorical_fields_ || b.dense.size() != dense_features_ || b.domain == nullptr ||
      (embeds_domain_ && (b.type == nullptr || b.scenario == nullptr)))
    throw DeviceError("DeviceModel: the batch's columns do not match the model");
  Slot& slot = slots_[next_slot_];
  next_slot_ ^= 1u;
  if (slot.used) slot.consumed.synchronize();
  slot.used = true;
  const std::size_t n = b.rows;
  const std::uint8_t* dev = slot.device.data();
  const std::size_t fields = categorical_fields_ + (embeds_domain_ ? 2 : 0);
  const std::size_t header = 8 * (fields + dense_features_);
  auto column = [&](std::size_t k) { return dev + header + 4 * n * k; };  // the k-th 4-byte column

  Staged st;
  st.slot = &slot, st.host_click = b.click;
  StagedBatch& out = st.batch;
  out.rows = n;
  for (std::uint32_t f = 0; f < categorical_fields_; ++f)
    out.ids.push_back(reinterpret_cast<const std::uint32_t*>(column(f)));
  out.domain = reinterpret_cast<const std::uint32_t*>(column(categorical_fields_));
  std::size_t next_column = categorical_fields_ + 1;
  if (embeds_domain_) {
    out.ids.push_back(reinterpret_cast<const std::uint32_t*>(column(next_column++)));
    out.ids.push_back(reinterpret_cast<const std::uint32_t*>(column(next_column++)));
  }
  std::vector<const float*> dense;
  for (std::uint32_t c = 0; c < dense_features_; ++c)
    dense.push_back(reinterpret_cast<const float*>(column(next_column++)));
  out.click = column(next_column);
  out.conv = out.click + n;
  out.id_pointers = reinterpret_cast<const std::uint32_t* const*>(dev);
  out.dense_pointers = reinterpret_cast<const float* const*>(dev + 8 * out.ids.size());

  std::uint8_t* host = slot.host.data();
  std::size_t at = 0;
  auto put = [&](const void* from, std::size_t bytes) {
    if (bytes > 0) std::memcpy(host + at, from, bytes);
    at += bytes;
  };
  put(out.ids.data(), 8 * out.ids.size());
  put(dense.data(), 8 * dense.size());
  for (const auto* c : b.categorical) put(c, 4 * n);
  put(b.domain, 4 * n);
  if (embeds_domain_) {
    put(b.type, 4 * n);
    put(b.scenario, 4 * n);
  }
  for (const auto* c : b.dense) put(c, 4 * n);
  put(b.click, n);
  put(b.conv, n);
  copy_to_device(slot.device.data(), host, at, copy_);
  slot.ready.record(copy_);
  slot.ready.make_wait(compute_);
  return st;
}

const StagedBatch& BatchStaging::take(const HostBatch& batch) {
  current_ = next_.holds(batch) ? next_ : stage(batch);
  next_ = Staged{};
  return current_.batch;
}

void BatchStaging::release() { current_.slot->consumed.record(compute_); }

void BatchStaging::stage_announced() {
  if (!announced_) return;
  if (announced_->rows == 0) {  // an empty batch's step takes nothing
    announced_.reset();
    return;
  }
  next_ = stage(*announced_);
  announced_.reset();
}

void BatchStaging::drop_announced() {
  announced_.reset();
  next_ = Staged{};
}

}  // namespace mmn::device
