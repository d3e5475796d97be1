#include "mmn/train/run_loader.h"

#include <filesystem>

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

}  // namespace mmn
