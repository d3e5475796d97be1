#include "result_file.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include "mmn/util/error.h"

namespace mmn::perf {
namespace {

double to_nanoseconds(double value, const std::string& unit, const std::string& where) {
  if (unit == "ns") return value;
  if (unit == "us") return value * 1e3;
  if (unit == "ms") return value * 1e6;
  if (unit == "s") return value * 1e9;
  fail("{}: unknown time_unit '{}'", where, unit);
}

double number_field(const nlohmann::json& entry, const std::string& field, const std::string& where) {
  const auto it = entry.find(field);
  if (it == entry.end()) fail("{}: no field '{}'", where, field);
  if (!it->is_number()) fail("{}: field '{}' is not a number", where, field);
  return it->get<double>();
}

std::string string_field(const nlohmann::json& entry, const std::string& field, const std::string& fallback) {
  const auto it = entry.find(field);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : fallback;
}

double metric_value(const nlohmann::json& entry, const std::string& metric, const std::string& where) {
  const double value = number_field(entry, metric, where);
  if (metric == "real_time" || metric == "cpu_time")
    return to_nanoseconds(value, string_field(entry, "time_unit", "ns"), where);
  return value;
}

// The name without "/min_time:X", so runs with other minimum times (smoke or full) still match.
std::string comparable_name(const std::string& name) {
  static const std::regex min_time("/min_time:[^/]*");
  return std::regex_replace(name, min_time, "");
}

}  // namespace

double Samples::median() const {
  std::vector<double> v = values;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}
double Samples::min() const { return *std::min_element(values.begin(), values.end()); }
double Samples::max() const { return *std::max_element(values.begin(), values.end()); }

ResultFile parse_result_file(const std::string& text, const std::string& path, const std::string& metric) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    fail("{}: not valid JSON ({})", path, e.what());
  }
  if (!doc.is_object()) fail("{}: not a benchmark result file (the top level is not an object)", path);
  const auto list = doc.find("benchmarks");
  if (list == doc.end() || !list->is_array()) fail("{}: not a benchmark result file (no \"benchmarks\" array)", path);

  ResultFile out;
  out.path = path;
  out.context = doc.value("context", nlohmann::json::object());
  std::map<std::string, Samples> medians;  // from aggregate entries, used when a benchmark has no repetitions listed
  for (std::size_t i = 0; i < list->size(); ++i) {
    const nlohmann::json& entry = (*list)[i];
    const std::string where = fmt::format("{}: benchmarks[{}]", path, i);
    if (!entry.is_object()) fail("{}: not an object", where);
    const std::string name = string_field(entry, "name", "");
    if (name.empty()) fail("{}: no \"name\"", where);
    const std::string run_name = comparable_name(string_field(entry, "run_name", name));
    if (entry.value("error_occurred", false)) {
      out.failed.push_back(run_name);
      continue;
    }
    const std::string run_type = string_field(entry, "run_type", "iteration");
    const bool is_time = metric == "real_time" || metric == "cpu_time";
    if (!is_time && !entry.contains(metric)) {
      if (run_type != "aggregate") out.without_metric.push_back(run_name);
      continue;
    }
    if (run_type == "aggregate") {
      // used only for benchmarks whose repetitions are not listed
      if (string_field(entry, "aggregate_name", "") == "median")
        medians[run_name].values.push_back(metric_value(entry, metric, where + " (" + name + ")"));
      continue;
    }
    out.benchmarks[run_name].values.push_back(metric_value(entry, metric, where + " (" + name + ")"));
  }
  for (auto& [name, samples] : medians)
    if (out.benchmarks.count(name) == 0) out.benchmarks[name] = samples;
  if (out.benchmarks.empty() && !out.without_metric.empty())
    fail("{}: no benchmark reports the counter '{}'", path, metric);
  return out;
}

ResultFile load_result_file(const std::string& path, const std::string& metric) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open the result file", path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_result_file(text.str(), path, metric);
}

}  // namespace mmn::perf
