// mmn train CONFIG [--set section.key=value ...] [--resume] [--overwrite]
#include "commands/commands.h"
#include "mmn/train/train_config.h"
#include "mmn/train/trainer.h"

namespace mmn::cli {

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a model from a TOML configuration");
  struct Args {
    std::string config;
    std::vector<std::string> overrides;
    TrainOptions options;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("config", args->config, "Configuration file (TOML); see configs/")->required();
  cmd->add_option("--set", args->overrides, "Override a key: section.key=value (repeatable)");
  cmd->add_flag("--resume", args->options.resume, "Continue from the newest valid checkpoint in run.dir");
  cmd->add_flag("--overwrite", args->options.overwrite, "Replace an earlier run in run.dir");
  cmd->add_flag("--quiet", args->options.quiet, "No progress output");
  cmd->callback([args] { train(load_train_config(args->config, args->overrides), args->options); });
}

}  // namespace mmn::cli
