#pragma once
// A Google Benchmark JSON result file (--benchmark_out), read for comparison: one
// sample list per benchmark, its repetitions (--benchmark_repetitions=N) as separate
// samples. A file with only aggregates (--benchmark_report_aggregates_only) gives
// each benchmark its median as a single sample.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mmn::perf {

struct Samples {
  std::vector<double> values;  // one per repetition, in the metric's unit (times in ns)
  double median() const;
  double min() const;
  double max() const;
};

struct ResultFile {
  std::string path;
  nlohmann::json context;                     // the file's "context" object
  std::map<std::string, Samples> benchmarks;  // by run name, without the aggregate suffix and /min_time:X
  std::vector<std::string> failed;            // benchmarks that reported an error: no samples
  std::vector<std::string> without_metric;    // benchmarks without the counter compared (counters only)
};

// metric: "real_time", "cpu_time" or the name of a user counter. Benchmarks that do
// not report the counter are listed in without_metric; a file where none does, a
// missing time, and any bad or foreign input is an mmn::Error naming the file and
// the problem.
ResultFile load_result_file(const std::string& path, const std::string& metric);
ResultFile parse_result_file(const std::string& text, const std::string& path, const std::string& metric);

}  // namespace mmn::perf
