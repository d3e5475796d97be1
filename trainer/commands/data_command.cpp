// mmn data inspect DIR: schema and summary of a data set; verifies every checksum.
// mmn data dump DIR --out FILE.csv: the model inputs of every row as CSV (the ids a
// served model takes: type, scenario, each categorical field's id, each dense value).
#include <fmt/format.h>

#include <cstdio>

#include "commands/commands.h"
#include "mmn/data/dataset.h"
#include "mmn/data/summary.h"
#include "mmn/metrics/oracle.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"
#include "mmn/util/thread_pool.h"

namespace mmn::cli {
namespace {

void inspect(const std::string& dir) {
  ThreadPool pool;
  const Dataset data = Dataset::open(dir, Verify::structure);
  const Schema& s = data.schema();
  fmt::print("data set {}\n", dir);
  fmt::print("schema: {} types x {} scenarios = {} domains; {} categorical fields; {} dense fields; true "
             "probabilities: {}\n",
             s.n_types, s.n_scenarios, s.n_domains(), s.categorical.size(), s.dense.size(), s.has_truth ? "yes" : "no");
  for (const auto& f : s.categorical) {
    const auto dict = data.dictionaries().categorical.find(f.name);
    fmt::print("  categorical {:<24} vocabulary {}{}\n", f.name, f.vocab_size,
               dict == data.dictionaries().categorical.end() ? "" : fmt::format(" (dictionary of {} values)", dict->second.size()));
  }
  for (const auto& d : s.dense) fmt::print("  dense       {}\n", d);
  std::uint64_t bytes = 0;
  for (const auto& shard : data.shards()) bytes += shard.file_bytes();
  fmt::print("{} shards, {} row groups, {} rows, {:.1f} MB\n", data.shards().size(), data.row_groups().size(),
             data.rows(), static_cast<double>(bytes) / 1e6);
  data.verify_all(&pool);
  fmt::print("verified: every column checksum of every row group, and every value against the schema\n");
  fmt::print("{}", format_summary(summarize(data, &pool), data.dictionaries()));
  if (s.has_truth) fmt::print("{}", format_oracle(oracle_figures(data)));
}

void dump(const std::string& dir, const std::string& out) {
  const Dataset data = Dataset::open(dir, Verify::full);
  const Schema& s = data.schema();
  std::string text = "type,scenario";
  for (const auto& f : s.categorical) text += "," + f.name;
  for (const auto& d : s.dense) text += "," + d;
  text += "\n";
  for (const auto& shard : data.shards()) {
    const ColumnView& v = shard.columns();
    for (std::size_t i = 0; i < v.rows; ++i) {
      fmt::format_to(std::back_inserter(text), "{},{}", v.type[i], v.scenario[i]);
      for (const auto* c : v.categorical) fmt::format_to(std::back_inserter(text), ",{}", c[i]);
      for (const auto* d : v.dense) fmt::format_to(std::back_inserter(text), ",{:.9g}", d[i]);
      text += '\n';
    }
  }
  write_file_atomically(out, text);
  fmt::print("wrote {} rows to {}\n", data.rows(), out);
}

}  // namespace

void add_data_command(CLI::App& app) {
  auto* data = app.add_subcommand("data", "Work with mmn data sets");
  data->require_subcommand(1);
  auto* inspect_cmd = data->add_subcommand("inspect", "Print the schema and a summary of a data set; verify every checksum");
  auto dir = std::make_shared<std::string>();
  inspect_cmd->add_option("dataset", *dir, "Data set directory")->required();
  inspect_cmd->callback([dir] { inspect(*dir); });
  auto* dump_cmd = data->add_subcommand("dump", "Write every row's model inputs (type, scenario, ids, dense values) as CSV");
  auto dump_dir = std::make_shared<std::string>(), out = std::make_shared<std::string>();
  dump_cmd->add_option("dataset", *dump_dir, "Data set directory")->required();
  dump_cmd->add_option("--out", *out, "Output CSV file")->required();
  dump_cmd->callback([dump_dir, out] { dump(*dump_dir, *out); });
}

}  // namespace mmn::cli
