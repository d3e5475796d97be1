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

// A batch as the device model takes it: 32-bit type and scenario ids, widened into `type` and
// `scenario` (which must outlive the result).
device::HostBatch host_batch_of(const ColumnView& rows, std::vector<std::uint32_t>& type,
                                std::vector<std::uint32_t>& scenario);

// The host model's parameters and the optimizer's state into the device model, and back.
void upload_host_state(device::DeviceModel& device, const MmnModel& model, const Optimizer& optimizer);
void download_host_state(device::DeviceModel& device, MmnModel& model, Optimizer& optimizer);

// The device model's description of a host model and its optimizer.
device::ModelSpec device_model_spec(const MmnModel& model, const Optimizer& optimizer, std::uint32_t max_rows,
                                    int device, bool train = true);

}  // namespace mmn
