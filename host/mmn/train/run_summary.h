#pragma once
// summary.json of a run: what it trained, how it ended, where it ran.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "mmn/train/best_model.h"
#include "mmn/train/train_config.h"
#include "mmn/train/trainer.h"

namespace mmn {

// Where a run ran: host, CPU, threads, and the BLAS library with the kernels it runs.
nlohmann::json machine_json(std::size_t threads);

struct SummaryFacts {
  std::string backend;
  int ranks = 1;
  std::size_t threads = 1;
  std::uint64_t validation_rows = 0;  // 0: no validation split
  double wall_seconds = 0;
};

// The summary: steps, speed, model, checkpoints, validation, the test and held-out
// figures, the commit and the machine.
nlohmann::json summary_json(const TrainConfig& config, const TrainOutcome& outcome, const BestSoFar& best,
                            const SummaryFacts& facts);

}  // namespace mmn
