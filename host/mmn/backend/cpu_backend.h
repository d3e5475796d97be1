#pragma once
// The CPU backend: the model's own ops over a thread pool, parameters in the host model.
#include "mmn/backend/training_backend.h"

namespace mmn {

std::unique_ptr<TrainingBackend> make_cpu_backend(const BackendContext& context);

}  // namespace mmn
