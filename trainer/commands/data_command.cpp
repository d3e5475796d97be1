// mmn data inspect DIR: schema and summary of a data set; verifies every checksum.
#include <fmt/format.h>

#include "commands/commands.h"
#include "mmn/data/dataset.h"
#include "mmn/data/summary.h"
#include "mmn/metrics/oracle.h"
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

}  // namespace

void add_data_command(CLI::App& app) {
  auto* data = app.add_subcommand("data", "Work with mmn data sets");
  data->require_subcommand(1);
  auto* inspect_cmd = data->add_subcommand("inspect", "Print the schema and a summary of a data set; verify every checksum");
  auto dir = std::make_shared<std::string>();
  inspect_cmd->add_option("dataset", *dir, "Data set directory")->required();
  inspect_cmd->callback([dir] { inspect(*dir); });
}

}  // namespace mmn::cli
