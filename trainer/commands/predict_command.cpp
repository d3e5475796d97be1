// mmn predict RUN_DIR (--data DATASET | --csv INPUT --schema SCHEMA.toml) --out FILE.csv [--device cpu|cuda|auto]
// Writes "p_ctr,p_cvr" and one line per input row, in input order.
#include <unistd.h>

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "commands/commands.h"
#include "mmn/data/dataset.h"
#include "mmn/ingest/ingester.h"
#include "mmn/train/evaluator.h"
#include "mmn/train/run_loader.h"
#include "mmn/train/run_predictions.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"
#include "mmn/util/thread_pool.h"

namespace mmn::cli {
namespace {

namespace fs = std::filesystem;

struct Args {
  std::string run_dir, data, csv, schema, out, checkpoint, device = "cpu";
};

// A CSV input becomes a temporary data set whose type, scenario and categorical
// dictionaries are the training data's, so ids mean what they meant in training.
std::string ingest_csv(const Args& args, const std::string& training_data, ThreadPool& pool) {
  if (args.schema.empty()) fail("--csv needs --schema: the ingest schema the training data was made with");
  const std::string dir =
      (fs::temp_directory_path() / fmt::format("mmn-predict-{}-{}", ::getpid(), fs::path(args.csv).filename().string()))
          .string();
  ingest::IngestConfig config;
  config.out_dir = dir;
  config.overwrite = true;
  config.dictionaries_from = training_data;
  config.pool = &pool;
  ingest::ingest(ingest::parse_ingest_schema_file(args.schema), {args.csv}, config);
  return dir;
}

void run_predict(const Args& args) {
  if (args.data.empty() == args.csv.empty()) fail("give exactly one of --data DATASET or --csv FILE");
  ThreadPool pool;
  std::string data_dir = args.data;
  std::string temp_dir;
  if (!args.csv.empty()) {
    const std::string config_path = (fs::path(args.run_dir) / "config.toml").string();
    if (!fs::exists(config_path)) fail("{}: not a run directory ({} is missing)", args.run_dir, config_path);
    temp_dir = ingest_csv(args, load_train_config(config_path, {}).data.train, pool);
    data_dir = temp_dir;
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ignored;
      if (!dir.empty()) fs::remove_all(dir, ignored);
    }
  } cleanup{temp_dir};

  const Dataset data = Dataset::open(data_dir, Verify::full, &pool);
  LoadedRun run = load_run(args.run_dir, args.checkpoint, data.schema());
  const Predictions p = predict_run(run, data, args.device, pool);
  std::string text = "p_ctr,p_cvr\n";
  text.reserve(text.size() + p.p_ctr.size() * 24);
  for (std::size_t i = 0; i < p.p_ctr.size(); ++i) text += fmt::format("{:.9g},{:.9g}\n", p.p_ctr[i], p.p_cvr[i]);
  write_file_atomically(args.out, text);
  fmt::print("wrote {} predictions to {}\n", p.p_ctr.size(), args.out);
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "Write p_ctr and p_cvr for every row of a data set or CSV file");
  auto args = std::make_shared<Args>();
  cmd->add_option("run", args->run_dir, "Run directory of `mmn train`")->required();
  cmd->add_option("--data", args->data, "Data set directory");
  cmd->add_option("--csv", args->csv, "CSV/TSV input, read with --schema");
  cmd->add_option("--schema", args->schema, "Ingest schema (TOML) for --csv");
  cmd->add_option("--out", args->out, "Output CSV file")->required();
  cmd->add_option("--checkpoint", args->checkpoint, "Checkpoint file (default: the run's newest)");
  cmd->add_option("--device", args->device, "Where to run the model: cpu (default), cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}));
  cmd->callback([args] { run_predict(*args); });
}

}  // namespace mmn::cli
