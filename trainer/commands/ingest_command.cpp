// Placeholder until the ingest command lands: registers the subcommand and reports it is not built yet.
#include "commands/commands.h"
#include "mmn/util/error.h"

namespace mmn::cli {

void add_ingest_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("ingest", "(not built yet)");
  cmd->callback([] { fail("mmn ingest is not built yet"); });
}

}  // namespace mmn::cli
