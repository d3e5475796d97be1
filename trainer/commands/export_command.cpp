// mmn export RUN_DIR --format onnx --out MODEL.onnx [--checkpoint FILE]
// The run's model (its best checkpoint, or the newest) as an ONNX graph for serving.
#include <string>

#include <fmt/format.h>

#include "commands/commands.h"
#include "mmn/train/run_loader.h"
#include "mmn/util/error.h"
#ifdef MMN_HAVE_ONNX_EXPORT
#include "mmn/export/onnx_export.h"
#endif

namespace mmn::cli {
namespace {

struct Args {
  std::string run_dir, format = "onnx", out, checkpoint;
};

void run_export(const Args& args) {
#ifndef MMN_HAVE_ONNX_EXPORT
  fail("this mmn was built without ONNX export (-DMMN_ONNX=OFF); {} was not written", args.out);
#else
  const LoadedRun run = load_run(args.run_dir, args.checkpoint);
  const OnnxExportInfo info = export_onnx(*run.model, args.out);
  fmt::print("wrote {} ({:.1f} MB): model '{}' from {} (step {}); {} floats stored for {} of the model's own{}\n",
             args.out, static_cast<double>(info.bytes) / 1e6, run.config.model.label(), run.checkpoint, run.step,
             info.parameters, info.model_parameters,
             info.domains > 1 ? fmt::format(", the CVR tower composed for each of {} domains", info.domains) : "");
#endif
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("export", "Write a trained model for serving (ONNX)");
  auto args = std::make_shared<Args>();
  cmd->add_option("run", args->run_dir, "Run directory of `mmn train`")->required();
  cmd->add_option("--format", args->format, "Export format (onnx)")->check(CLI::IsMember({"onnx"}));
  cmd->add_option("--out", args->out, "Output file")->required();
  cmd->add_option("--checkpoint", args->checkpoint, "Checkpoint file (default: the run's best, else its newest)");
  cmd->callback([args] { run_export(*args); });
}

}  // namespace mmn::cli
