// mmn eval RUN_DIR... --data DATASET [--checkpoint FILE] [--report FILE.json] [--device cpu|cuda|auto]
// One column per run (and the oracle's when the data carries true probabilities). Under
// mpirun the ranks share the batches and rank 0 reports: the same figures as one process.
#include <fmt/format.h>

#include "commands/commands.h"
#include "commands/job.h"
#include "mmn/data/dataset.h"
#include "mmn/train/evaluator.h"
#include "mmn/train/report_table.h"
#include "mmn/train/run_directory.h"
#include "mmn/train/run_loader.h"
#include "mmn/train/run_predictions.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"
#include "mmn/util/thread_pool.h"

namespace mmn::cli {

void add_eval_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("eval", "Evaluate trained runs on a data set");
  struct Args {
    std::vector<std::string> runs;
    std::string data, checkpoint, report, title, device = "cpu";
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("runs", args->runs, "Run directories of `mmn train`")->required();
  cmd->add_option("--data", args->data, "Data set directory to evaluate on")->required();
  cmd->add_option("--checkpoint", args->checkpoint, "Checkpoint file (default: each run's newest; one run only)");
  cmd->add_option("--report", args->report, "Also write the figures as JSON to this file");
  cmd->add_option("--title", args->title, "Title of the table (default: the data set)");
  cmd->add_option("--device", args->device, "Where to run the model: cpu (default), cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  cmd->callback([args] {
    if (!args->checkpoint.empty() && args->runs.size() != 1) fail("--checkpoint names one checkpoint: give one run");
    Communicator& comm = job_communicator();
    ThreadPool pool;
    const Dataset data = Dataset::open(args->data, Verify::full, &pool);
    std::vector<std::pair<std::string, EvalReport>> reports;
    nlohmann::json json = nlohmann::json::object();
    for (const auto& dir : args->runs) {
      LoadedRun run = load_run(dir, args->checkpoint, data.schema());
      const Predictions p = predict_run(run, data, args->device, pool, &comm);
      if (comm.rank() != 0) continue;  // rank 0 holds every row's predictions and reports
      reports.emplace_back(run.config.model.label(), evaluate(data, p));
      fmt::print("{}: {} at step {} ({})\n", dir, run.config.model.label(), run.step, run.checkpoint);
      json[dir] = eval_report_json(reports.back().second);
    }
    if (comm.rank() != 0) return;
    fmt::print("{}", format_eval_table(args->title.empty() ? args->data : args->title, reports));
    if (!args->report.empty()) write_file_atomically(args->report, json.dump(1) + "\n");
  });
}

}  // namespace mmn::cli
