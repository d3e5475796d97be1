#pragma once
// The CUDA backend: the model trained on a GPU by mmn::device::DeviceModel, behind the
// TrainingBackend interface. Linked into a program (the nvcc-built library, or the
// emulator-built one in tests), register_cuda_backend() makes train.device = cuda and auto
// find it. One GPU per process: the process's local rank modulo the devices it sees.
#include "mmn/backend/training_backend.h"

namespace mmn {

void register_cuda_backend();

std::unique_ptr<TrainingBackend> make_cuda_backend(const BackendContext& context);

}  // namespace mmn
