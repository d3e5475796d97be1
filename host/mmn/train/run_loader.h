#pragma once
// What `mmn eval` and `mmn predict` start from: a run directory's resolved
// configuration and a checkpoint (the newest unless one is named), loaded into a
// model built for a data set's schema.
#include <memory>
#include <string>

#include "mmn/data/schema.h"
#include "mmn/model/mmn_model.h"
#include "mmn/train/train_config.h"

namespace mmn {

struct LoadedRun {
  TrainConfig config;
  std::unique_ptr<MmnModel> model;
  std::string checkpoint;
  std::uint64_t step = 0;
};

// Throws mmn::Error naming the run directory or checkpoint and the problem.
LoadedRun load_run(const std::string& run_dir, const std::string& checkpoint, const Schema& schema);

}  // namespace mmn
