// Placeholder until the synth command lands: registers the subcommand and reports it is not built yet.
#include "commands/commands.h"
#include "mmn/util/error.h"

namespace mmn::cli {

void add_synth_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("synth", "(not built yet)");
  cmd->callback([] { fail("mmn synth is not built yet"); });
}

}  // namespace mmn::cli
