// mmn train CONFIG [--set section.key=value ...] [--resume] [--overwrite]
// Under mpirun / srun: data-parallel over the processes (see mmn/train/trainer.h).
#include "commands/commands.h"
#include "commands/job.h"
#include "mmn/train/train_config.h"
#include "mmn/train/trainer.h"

namespace mmn::cli {

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a model from a TOML configuration");
  struct Args {
    std::string config;
    std::vector<std::string> overrides;
    std::string device;
    TrainOptions options;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("config", args->config, "Configuration file (TOML); see configs/")->required();
  cmd->add_option("--set", args->overrides, "Override a key: section.key=value (repeatable)");
  cmd->add_option("--device", args->device, "Where to train: cpu, cuda or auto (sets train.device)")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  cmd->add_flag("--resume", args->options.resume, "Continue from the newest valid checkpoint in run.dir");
  cmd->add_flag("--overwrite", args->options.overwrite, "Replace an earlier run in run.dir");
  cmd->add_flag("--quiet", args->options.quiet, "No progress output");
  cmd->callback([args] {
    Communicator& comm = job_communicator();
    TrainOptions options = args->options;
    options.quiet = options.quiet || comm.rank() != 0;
    std::vector<std::string> overrides = args->overrides;
    if (!args->device.empty()) overrides.push_back("train.device=" + args->device);
    train(load_train_config(args->config, overrides), options, {}, &comm);
  });
}

}  // namespace mmn::cli
