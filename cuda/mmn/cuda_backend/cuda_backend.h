#pragma once
// The CUDA backend: the model trained on a GPU by mmn::device::DeviceModel, behind the
// TrainingBackend interface. Linked into a program (the nvcc-built library, or the
// emulator-built one in tests), register_cuda_backend() makes train.device = cuda and auto
// find it. One GPU per process: the process's local rank modulo the devices it sees.
#include "mmn/backend/training_backend.h"
#include "mmn/cuda_backend/device_model.h"

namespace mmn {

void register_cuda_backend();

std::unique_ptr<TrainingBackend> make_cuda_backend(const BackendContext& context);

// A batch as the device model takes it: each row's domain id (the rows' own when the step
// worked them out, else worked out here), and 32-bit type and scenario ids when the model
// embeds them. The result points into this object's buffers until the next call.
class HostBatchColumns {
 public:
  HostBatchColumns(const DomainGrid& grid, bool embeds_domain) : grid_(grid), embeds_domain_(embeds_domain) {}
  device::HostBatch of(const ColumnView& rows);

 private:
  DomainGrid grid_;
  bool embeds_domain_;
  std::vector<std::uint32_t> domain_, type_, scenario_;
};

// The host model's parameters and the optimizer's state (when there is one) into the device
// model, and back.
void upload_host_state(device::DeviceModel& device, const MmnModel& model, const Optimizer* optimizer);
void download_host_state(device::DeviceModel& device, MmnModel& model, Optimizer* optimizer);

// The device model's description of a host model and its optimizer (null: forward passes only).
device::ModelSpec device_model_spec(const MmnModel& model, const Optimizer* optimizer, std::uint32_t max_rows,
                                    int device, Precision precision = Precision::fp32);

}  // namespace mmn
