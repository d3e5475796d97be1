// mmn: the Masked Multi-Domain Network trainer and its data tools.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands/commands.h"
#include "commands/job.h"
#include "mmn/util/error.h"
#if defined(MMN_HAVE_CUDA_BACKEND)
#include "mmn/cuda_backend/cuda_backend.h"
#endif

int main(int argc, char** argv) {
#if defined(MMN_HAVE_CUDA_BACKEND)
  mmn::register_cuda_backend();
#endif
  CLI::App app{"mmn: Masked Multi-Domain Network for multi-type, multi-scenario CVR prediction"};
  app.set_version_flag("--version", "mmn 0.1.0");
  app.require_subcommand(1);
  mmn::cli::add_data_command(app);
  mmn::cli::add_ingest_command(app);
  mmn::cli::add_synth_command(app);
  mmn::cli::add_train_command(app);
  mmn::cli::add_eval_command(app);
  mmn::cli::add_predict_command(app);
  mmn::cli::add_export_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const mmn::Error& e) {
    fmt::print(stderr, "mmn: error{}: {}\n", mmn::cli::rank_label(), e.what());
    mmn::cli::end_job(1);
  } catch (const std::exception& e) {
    fmt::print(stderr, "mmn: internal error{}: {}\n", mmn::cli::rank_label(), e.what());
    mmn::cli::end_job(2);
  }
  mmn::cli::end_job(0);
}
