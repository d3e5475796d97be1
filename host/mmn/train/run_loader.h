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
// The same for the schema the run was trained on: its schema.json, or (a run written before
// runs kept one) the schema of the training data its config.toml names.
LoadedRun load_run(const std::string& run_dir, const std::string& checkpoint = "");
Schema run_schema(const std::string& run_dir);

}  // namespace mmn
