// mmn-perf-compare BASELINE.json CANDIDATE.json: a table of per-benchmark ratios and
// verdicts. Exit status: 0 no regression, 1 a regression beyond the threshold and the
// spread of the repetitions, 2 bad input (unreadable or malformed file, benchmarks
// missing from or added to the candidate unless allowed).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <set>

#include "comparison.h"
#include "mmn/util/error.h"

int main(int argc, char** argv) {
  CLI::App app{"Compare two Google Benchmark JSON result files (run with --benchmark_repetitions=N)"};
  std::string baseline_path, candidate_path, metric = "real_time";
  mmn::perf::CompareOptions options;
  bool allow_missing = false, allow_extra = false;
  app.add_option("baseline", baseline_path, "baseline result file")->required();
  app.add_option("candidate", candidate_path, "candidate result file")->required();
  app.add_option("--metric", metric, "real_time, cpu_time or a counter name (e.g. fraction_of_roofline)")
      ->capture_default_str();
  app.add_option("--threshold", options.threshold, "relative change that counts as a regression (0.05 = 5 %)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 10.0));
  app.add_flag("--higher-is-better", options.higher_is_better,
               "the metric is a rate or fraction (default: on for counters, off for times)");
  app.add_flag("--allow-missing", allow_missing, "benchmarks absent from the candidate are a note, not an error");
  app.add_flag("--allow-extra", allow_extra, "benchmarks new in the candidate are a note, not an error");
  CLI11_PARSE(app, argc, argv);
  if (metric != "real_time" && metric != "cpu_time" && app.count("--higher-is-better") == 0)
    options.higher_is_better = true;

  try {
    const auto baseline = mmn::perf::load_result_file(baseline_path, metric);
    const auto candidate = mmn::perf::load_result_file(candidate_path, metric);
    const auto result = mmn::perf::compare(baseline, candidate, options);
    fmt::print("{}", mmn::perf::format_table(result, metric));
    fmt::print("threshold {:.1f} %, {} is better; medians of the repetitions, changes within their spread are noise\n",
               options.threshold * 100, options.higher_is_better ? "higher" : "lower");
    for (const auto& d : result.context_differences) fmt::print("note: the runs differ in {}\n", d);
    for (const auto& f : baseline.failed) fmt::print("note: {} failed in the baseline\n", f);
    for (const auto& f : candidate.failed) fmt::print("note: {} failed in the candidate\n", f);
    std::set<std::string> uncounted(baseline.without_metric.begin(), baseline.without_metric.end());
    uncounted.insert(candidate.without_metric.begin(), candidate.without_metric.end());
    for (const auto& u : uncounted) fmt::print("note: {} does not report {}: not compared\n", u, metric);
    bool input_error = false;
    for (const auto& m : result.missing) {
      fmt::print(stderr, "{}: {}: benchmark '{}' of the baseline is missing\n", allow_missing ? "note" : "error",
                 candidate_path, m);
      input_error |= !allow_missing;
    }
    for (const auto& e : result.extra) {
      fmt::print(stderr, "{}: {}: benchmark '{}' is not in the baseline {}\n", allow_extra ? "note" : "error",
                 candidate_path, e, baseline_path);
      input_error |= !allow_extra;
    }
    if (input_error) return 2;
    if (result.has_regression()) {
      fmt::print(stderr, "regression: at least one benchmark is slower beyond the threshold and the noise\n");
      return 1;
    }
    return 0;
  } catch (const mmn::Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  }
}
