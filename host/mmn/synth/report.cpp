#include "mmn/synth/report.h"

#include <fmt/format.h>

#include "mmn/data/dataset.h"

namespace mmn::synth {

SplitReport report_split(const std::string& dir, ThreadPool* pool) {
  const Dataset data = Dataset::open(dir, Verify::structure, pool);
  SplitReport r;
  r.summary = summarize(data, pool);
  r.oracle = oracle_figures(data);
  return r;
}

std::string format_synth_report(const SynthConfig& config, const SynthOptions& options, const SynthResult& result,
                                const SplitReport& train) {
  std::string out;
  const double generation = result.seconds - result.setup_seconds;
  out += fmt::format("mmn synth: preset {}, seed {}, {} rows -> {}\n", config.name, options.seed, result.rows,
                     result.out_dir);
  out += fmt::format("generated and wrote {} rows in {:.2f} s ({:.2f}M rows/s; setup {:.2f} s, rows {:.2f} s)\n",
                     result.rows, result.seconds, static_cast<double>(result.rows) / result.seconds / 1e6,
                     result.setup_seconds, generation);
  out += "splits:";
  for (std::size_t k = 0; k < kSplits; ++k)
    if (!result.split_dirs[k].empty()) out += fmt::format(" {} {} rows;", split_name(k), result.split_rows[k]);
  out += "\n";
  if (!result.holdout.empty()) {
    out += "held out (heldout split only):";
    for (const auto& [t, s] : result.holdout) out += fmt::format(" ({}, {})", type_name(t), scenario_name(s));
    out += "\n";
  }
  out += "train split:\n";
  out += format_summary(train.summary, config.dictionaries());
  out += format_oracle(train.oracle);
  return out;
}

}  // namespace mmn::synth
