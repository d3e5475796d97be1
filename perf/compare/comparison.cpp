#include "comparison.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace mmn::perf {
namespace {

// Context keys that describe the machine and the build: a difference makes a comparison doubtful.
const char* const kComparableContext[] = {"mmn_cpu_model", "mmn_threads", "mmn_build_type", "mmn_native",
                                          "mmn_smoke",     "mmn_blas_core", "num_cpus",     "library_build_type"};

std::string context_value(const nlohmann::json& context, const char* key) {
  const auto it = context.find(key);
  if (it == context.end()) return "(absent)";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

Verdict judge(const Samples& base, const Samples& cand, const CompareOptions& o) {
  const double b = base.median(), c = cand.median();
  if (b == c) return Verdict::same;
  // worse > 1 means the candidate is worse, whichever direction the metric goes
  const double worse = o.higher_is_better ? (c == 0 ? 1e300 : b / c) : (b == 0 ? 1e300 : c / b);
  const bool beyond_threshold = worse > 1.0 + o.threshold || worse < 1.0 / (1.0 + o.threshold);
  if (!beyond_threshold) return Verdict::same;
  const bool overlapping = cand.min() <= base.max() && base.min() <= cand.max();
  if (overlapping) return Verdict::noise;
  return worse > 1.0 ? Verdict::regression : Verdict::improved;
}

std::string number(double v) {
  const double a = std::abs(v);
  if (a != 0 && (a >= 1e7 || a < 1e-3)) return fmt::format("{:.4g}", v);
  return fmt::format("{:.4f}", v);
}

}  // namespace

const char* verdict_name(Verdict v) {
  switch (v) {
    case Verdict::same:
      return "same";
    case Verdict::noise:
      return "noise";
    case Verdict::improved:
      return "improved";
    default:
      return "REGRESSION";
  }
}

bool Comparison::has_regression() const {
  return std::any_of(rows.begin(), rows.end(), [](const auto& r) { return r.verdict == Verdict::regression; });
}

Comparison compare(const ResultFile& baseline, const ResultFile& candidate, const CompareOptions& options) {
  Comparison out;
  for (const auto& [name, base] : baseline.benchmarks) {
    const auto it = candidate.benchmarks.find(name);
    if (it == candidate.benchmarks.end()) {
      out.missing.push_back(name);
      continue;
    }
    BenchmarkComparison row;
    row.name = name;
    row.baseline = base.median();
    row.candidate = it->second.median();
    row.ratio = row.baseline == 0 ? 0 : row.candidate / row.baseline;
    row.baseline_runs = base.values.size();
    row.candidate_runs = it->second.values.size();
    row.verdict = judge(base, it->second, options);
    out.rows.push_back(row);
  }
  for (const auto& entry : candidate.benchmarks)
    if (baseline.benchmarks.count(entry.first) == 0) out.extra.push_back(entry.first);
  for (const char* key : kComparableContext) {
    const std::string b = context_value(baseline.context, key), c = context_value(candidate.context, key);
    if (b != c) out.context_differences.push_back(fmt::format("{}: {} -> {}", key, b, c));
  }
  return out;
}

std::string format_table(const Comparison& c, const std::string& metric) {
  std::size_t width = std::string("benchmark").size();
  for (const auto& r : c.rows) width = std::max(width, r.name.size());
  std::string out = fmt::format("{:<{}}  {:>14}  {:>14}  {:>8}  {:>7}  {}\n", "benchmark", width, "baseline",
                                "candidate", "ratio", "runs", "verdict");
  out += fmt::format("{:<{}}  {:>14}  {:>14}  {:>8}  {:>7}  {}\n", "", width, "(" + metric + ")", "(median)", "", "b/c",
                     "");
  for (const auto& r : c.rows)
    out += fmt::format("{:<{}}  {:>14}  {:>14}  {:>8.3f}  {:>7}  {}\n", r.name, width, number(r.baseline),
                       number(r.candidate), r.ratio, fmt::format("{}/{}", r.baseline_runs, r.candidate_runs),
                       verdict_name(r.verdict));
  return out;
}

}  // namespace mmn::perf
