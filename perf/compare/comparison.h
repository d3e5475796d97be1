#pragma once
// Two result files compared benchmark by benchmark on the medians of their
// repetitions. A change counts only when it is beyond the threshold AND outside the
// spread of the repetitions (the candidate's [min, max] does not overlap the
// baseline's); otherwise it is noise.
#include <string>
#include <vector>

#include "result_file.h"

namespace mmn::perf {

enum class Verdict { same, noise, improved, regression };
const char* verdict_name(Verdict v);

struct CompareOptions {
  double threshold = 0.05;        // relative change that counts, e.g. 0.05 = 5 %
  bool higher_is_better = false;  // true for rates and fractions of the roofline
};

struct BenchmarkComparison {
  std::string name;
  double baseline = 0;   // median
  double candidate = 0;  // median
  double ratio = 0;      // candidate / baseline
  std::size_t baseline_runs = 0;
  std::size_t candidate_runs = 0;
  Verdict verdict = Verdict::same;
};

struct Comparison {
  std::vector<BenchmarkComparison> rows;         // benchmarks in both files, by name
  std::vector<std::string> missing;              // in the baseline, not in the candidate
  std::vector<std::string> extra;                // in the candidate, not in the baseline
  std::vector<std::string> context_differences;  // "key: baseline value -> candidate value"

  bool has_regression() const;
};

Comparison compare(const ResultFile& baseline, const ResultFile& candidate, const CompareOptions& options);

// The table: benchmark, baseline, candidate, ratio, runs, verdict; one line per benchmark.
std::string format_table(const Comparison& c, const std::string& metric);

}  // namespace mmn::perf
