// mmn-perf-masking-table RESULTS.json --markdown OUT.md --csv OUT.csv: the results of
// auto_masking_bench as one row per (domains, batch): the time per batch of the
// grouped (routing), partitioned and masked forms (medians of the repetitions), the
// ratios masked / grouped and grouped / partitioned, and each form's useful FLOPs as a
// fraction of the sgemm roofline measured right after it (steadier than times on a
// loaded machine). Forms not run are left empty.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <utility>
#include <vector>

#include "mmn/util/error.h"
#include "result_file.h"

namespace {

struct Row {
  std::map<std::string, double> ms;        // form -> milliseconds per batch
  std::map<std::string, double> fraction;  // form -> fraction of the sgemm roofline
};

std::string cell(const Row& r, const std::string& form) {
  const auto it = r.ms.find(form);
  return it == r.ms.end() ? "" : fmt::format("{:.3f}", it->second);
}

std::string fraction(const Row& r, const std::string& form) {
  const auto it = r.fraction.find(form);
  return it == r.fraction.end() ? "" : fmt::format("{:.3f}", it->second);
}

std::string ratio(const Row& r, const std::string& num, const std::string& den) {
  const auto a = r.ms.find(num), b = r.ms.find(den);
  return a == r.ms.end() || b == r.ms.end() || b->second == 0 ? "" : fmt::format("{:.2f}", a->second / b->second);
}

void write(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!(out << text)) mmn::fail("{}: cannot write", path);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The auto-masking benchmark results as a table"};
  std::string input, markdown, csv;
  app.add_option("results", input, "auto_masking_bench JSON output")->required();
  app.add_option("--markdown", markdown, "write the markdown table here (default: standard output)");
  app.add_option("--csv", csv, "write the CSV table here");
  CLI11_PARSE(app, argc, argv);
  try {
    const auto results = mmn::perf::load_result_file(input, "real_time");
    const std::regex name(R"(AutoMasking/(\w+)/domains:(\d+)/batch:(\d+).*)");
    std::map<std::pair<long, long>, Row> rows;
    for (const auto& [bench, samples] : results.benchmarks) {
      std::smatch m;
      if (!std::regex_match(bench, m, name)) continue;
      rows[{std::stol(m[2]), std::stol(m[3])}].ms[m[1]] = samples.median() / 1e6;
    }
    const auto fractions = mmn::perf::load_result_file(input, "fraction_of_roofline");
    for (const auto& [bench, samples] : fractions.benchmarks) {
      std::smatch m;
      if (std::regex_match(bench, m, name)) rows[{std::stol(m[2]), std::stol(m[3])}].fraction[m[1]] = samples.median();
    }
    if (rows.empty()) mmn::fail("{}: no AutoMasking benchmarks in the file", input);
    std::string md =
        "| domains | batch | grouped ms | partitioned ms | masked ms | masked / grouped | grouped / partitioned "
        "| grouped frac | partitioned frac | masked frac |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    std::string table =
        "domains,batch,grouped_ms,partitioned_ms,masked_ms,masked_over_grouped,grouped_over_partitioned,"
        "grouped_fraction,partitioned_fraction,masked_fraction\n";
    for (const auto& [key, r] : rows) {
      md += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", key.first, key.second,
                        cell(r, "grouped"), cell(r, "partitioned"), cell(r, "masked"), ratio(r, "masked", "grouped"),
                        ratio(r, "grouped", "partitioned"), fraction(r, "grouped"), fraction(r, "partitioned"),
                        fraction(r, "masked"));
    }
    // the CSV by batch, then domains: each batch size's points contiguous, for line plots
    std::vector<std::pair<long, long>> by_batch;
    for (const auto& entry : rows) by_batch.emplace_back(entry.first.second, entry.first.first);
    std::sort(by_batch.begin(), by_batch.end());
    for (const auto& [batch, domains] : by_batch) {
      const Row& r = rows.at({domains, batch});
      table += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", domains, batch, cell(r, "grouped"),
                           cell(r, "partitioned"), cell(r, "masked"), ratio(r, "masked", "grouped"),
                           ratio(r, "grouped", "partitioned"), fraction(r, "grouped"), fraction(r, "partitioned"),
                           fraction(r, "masked"));
    }
    if (markdown.empty())
      fmt::print("{}", md);
    else
      write(markdown, md);
    if (!csv.empty()) write(csv, table);
    return 0;
  } catch (const mmn::Error& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 2;
  }
}
