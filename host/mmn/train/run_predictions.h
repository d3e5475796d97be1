#pragma once
// Predictions of a loaded run (`mmn eval`, `mmn predict`) on a chosen device: "cpu" runs the
// host model's forward pass, "cuda" (or "auto" where a GPU is visible) a backend's, which
// holds the parameters only, without optimizer state.
#include <string>

#include "mmn/train/evaluator.h"
#include "mmn/train/run_loader.h"

namespace mmn {

class Communicator;
class ThreadPool;

Predictions predict_run(LoadedRun& run, const Dataset& data, const std::string& device, ThreadPool& pool,
                        Communicator* comm = nullptr);

}  // namespace mmn
