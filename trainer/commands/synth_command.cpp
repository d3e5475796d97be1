// mmn synth --preset NAME --out DIR [--set KEY=VALUE ...] [--rows N] [--seed S] [--holdout K] [--overwrite]
// [--threads T]: writes a synthetic data set with its true probabilities (train, test and, with
// --holdout, heldout splits) and prints its summary and the oracle's figures. --set changes one
// setting of the preset (a key of the "config" object in the output's metadata).
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands/commands.h"
#include "mmn/synth/report.h"
#include "mmn/synth/synth_config.h"
#include "mmn/synth/synthesize.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"

namespace mmn::cli {
namespace {

struct SynthArgs {
  std::string preset;
  std::string out;
  std::vector<std::string> overrides;
  std::optional<std::uint64_t> rows;
  std::uint64_t seed = 1;
  std::uint32_t holdout = 0;
  bool overwrite = false;
  std::size_t threads = 0;
};

void run_synth(const SynthArgs& args) {
  const synth::SynthConfig config = synth::with_overrides(synth::preset(args.preset), args.overrides);
  synth::SynthOptions options;
  options.out_dir = args.out;
  options.rows = args.rows.value_or(config.default_rows);
  options.seed = args.seed;
  options.holdout = args.holdout;
  options.overwrite = args.overwrite;
  if (options.rows == 0) fail("--rows must be at least 1");
  if (args.threads > 1024) fail("--threads {} is more than 1024", args.threads);
  ThreadPool pool(args.threads == 0 ? ThreadPool::default_threads() : args.threads);
  const synth::SynthResult result = synth::synthesize(config, options, pool);
  const synth::SplitReport train = synth::report_split(result.split_dirs[synth::kTrain], &pool);
  fmt::print("{}", synth::format_synth_report(config, options, result, train));
  for (const std::string& o : args.overrides) fmt::print("changed from the preset: {}\n", o);
  std::fflush(stdout);
}

}  // namespace

void add_synth_command(CLI::App& app) {
  auto args = std::make_shared<SynthArgs>();
  std::string presets;
  for (const auto& n : synth::preset_names()) presets += (presets.empty() ? "" : ", ") + n;
  auto* cmd = app.add_subcommand("synth", "Write a synthetic data set with known true probabilities");
  cmd->add_option("--preset", args->preset, "Data set shape: " + presets)->required();
  cmd->add_option("--out", args->out, "Output directory (gets train/, test/ and, with --holdout, heldout/)")
      ->required();
  cmd->add_option("--set", args->overrides,
                  "Change one setting of the preset, KEY=VALUE (repeatable; the keys are those of the \"config\" "
                  "object in the output's metadata, for example learnable_vocab=0 or n_dense=3)");
  cmd->add_option("--rows", args->rows, "Rows over all splits (default: the preset's)");
  cmd->add_option("--seed", args->seed, "Random seed; the output depends only on it, the preset, rows and holdout")
      ->capture_default_str();
  cmd->add_option("--holdout", args->holdout,
                  "Hold out K whole (type, scenario) combinations into the heldout split for zero-shot tests")
      ->capture_default_str();
  cmd->add_flag("--overwrite", args->overwrite, "Replace an existing mmn synth output at --out");
  cmd->add_option("--threads", args->threads, "Worker threads (default: MMN_THREADS or all cores)");
  cmd->callback([args] { run_synth(*args); });
}

}  // namespace mmn::cli
