#include "mmn/train/run_loader.h"

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "mmn/data/dataset.h"

#include "mmn/model/optimizer.h"
#include "mmn/train/checkpoint.h"
#include "mmn/util/error.h"

namespace mmn {

LoadedRun load_run(const std::string& run_dir, const std::string& checkpoint, const Schema& schema) {
  namespace fs = std::filesystem;
  const std::string config_path = (fs::path(run_dir) / "config.toml").string();
  if (!fs::exists(config_path)) fail("{}: not a run directory ({} is missing)", run_dir, config_path);
  LoadedRun run;
  run.config = load_train_config(config_path, {});
  run.checkpoint = checkpoint;
  if (run.checkpoint.empty()) {
    const std::string dir = (fs::path(run_dir) / "checkpoints").string();
    if (!fs::is_directory(dir)) fail("{}: has no checkpoints", run_dir);
    // A run with a validation split kept its best parameters apart: those are the model.
    const std::string best_dir = (fs::path(dir) / kBestCheckpointDir).string();
    const auto best = fs::is_directory(best_dir) ? CheckpointDirectory(best_dir, ~0u).list() : std::vector<std::string>{};
    const auto all = best.empty() ? CheckpointDirectory(dir, ~0u).list() : best;
    if (all.empty()) fail("{}: has no checkpoints", run_dir);
    run.checkpoint = all.front();
  }
  run.model = std::make_unique<MmnModel>(run.config.model, schema, run.config.train.seed);
  Optimizer optimizer(run.config.optimizer, *run.model);
  run.step = read_checkpoint(run.checkpoint, *run.model, optimizer).step;
  return run;
}

Schema run_schema(const std::string& run_dir) {
  namespace fs = std::filesystem;
  const std::string path = (fs::path(run_dir) / "schema.json").string();
  std::ifstream in(path);
  if (in) {
    try {
      return schema_from_json(nlohmann::json::parse(in), path);
    } catch (const nlohmann::json::exception& e) {
      fail("{}: not a schema: {}", path, e.what());
    }
  }
  const std::string config_path = (fs::path(run_dir) / "config.toml").string();
  if (!fs::exists(config_path)) fail("{}: not a run directory ({} is missing)", run_dir, config_path);
  const std::string train = load_train_config(config_path, {}).data.train;
  if (!fs::exists(train))
    fail("{}: has no schema.json and its training data {} is not here: the model's shape is unknown", run_dir, train);
  return Dataset::open(train, Verify::structure).schema();
}

LoadedRun load_run(const std::string& run_dir, const std::string& checkpoint) {
  return load_run(run_dir, checkpoint, run_schema(run_dir));
}

}  // namespace mmn
