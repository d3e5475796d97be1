#pragma once
// Each subcommand of `mmn` registers itself on the application.
#include <CLI/CLI.hpp>

namespace mmn::cli {

void add_data_command(CLI::App& app);    // mmn data inspect
void add_ingest_command(CLI::App& app);  // mmn ingest
void add_synth_command(CLI::App& app);   // mmn synth
void add_train_command(CLI::App& app);   // mmn train
void add_eval_command(CLI::App& app);    // mmn eval
void add_predict_command(CLI::App& app); // mmn predict
void add_export_command(CLI::App& app);  // mmn export

}  // namespace mmn::cli
