#include "mmn/train/run_directory.h"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include <fmt/format.h>

#include "mmn/data/dataset.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"

namespace mmn {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// What identifies a metrics record: its kind, split and step.
std::string record_key(const nlohmann::json& record) {
  const auto text = [&](const char* name) {
    const auto it = record.find(name);
    return it == record.end() ? std::string() : it->dump();
  };
  return text("kind") + "/" + text("split") + "/" + text("step");
}

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json domain_auc_json(const DomainAuc& d) {
  return {{"domain_cvr_auc_mean", number(d.mean)},
          {"domain_cvr_auc_weighted", number(d.weighted_mean)},
          {"domains_scored", d.scored},
          {"domains", d.auc.size()}};
}

std::string name_of(const std::vector<std::string>& names, std::uint32_t id) {
  return id < names.size() ? names[id] : fmt::format("{}", id);
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// An empty cell for NaN.
std::string csv_number(double v, const char* spec) {
  if (!std::isfinite(v)) return {};
  return fmt::format(fmt::runtime(spec), v);
}

// One domain's figures, from the report's per-domain vectors (whichever it carries).
struct DomainRow {
  std::uint64_t clicks = 0, conversions = 0;
  double auc = kNaN, predicted_cvr = kNaN, observed_cvr = kNaN, calibration = kNaN, oracle_auc = kNaN;
};

DomainRow domain_row(const EvalReport& r, std::size_t d) {
  DomainRow row;
  double predicted = kNaN;
  if (d < r.calibration.size()) {
    row.clicks = r.calibration[d].clicks;
    row.conversions = r.calibration[d].conversions;
    predicted = r.calibration[d].predicted;
  } else if (d < r.domain_cvr.rows.size()) {
    row.clicks = r.domain_cvr.rows[d];
    row.conversions = d < r.domain_cvr.positives.size() ? r.domain_cvr.positives[d] : 0;
  }
  if (d < r.domain_cvr.auc.size()) row.auc = r.domain_cvr.auc[d];
  if (row.clicks > 0) {
    row.predicted_cvr = predicted / static_cast<double>(row.clicks);
    row.observed_cvr = static_cast<double>(row.conversions) / static_cast<double>(row.clicks);
  }
  if (row.conversions > 0) row.calibration = predicted / static_cast<double>(row.conversions);
  if (r.oracle && d < r.oracle->domain_cvr.auc.size()) row.oracle_auc = r.oracle->domain_cvr.auc[d];
  return row;
}

}  // namespace

nlohmann::json eval_report_json(const EvalReport& r) {
  nlohmann::json j = {{"rows", r.rows},
                      {"clicks", r.clicks},
                      {"conversions", r.conversions},
                      {"ctr_auc", number(r.ctr_auc)},
                      {"cvr_auc", number(r.cvr_auc)},
                      {"ctcvr_auc", number(r.ctcvr_auc)},
                      {"ctr_logloss", number(r.ctr_logloss)},
                      {"cvr_logloss", number(r.cvr_logloss)},
                      {"ctcvr_logloss", number(r.ctcvr_logloss)}};
  j.update(domain_auc_json(r.domain_cvr));
  if (r.oracle) {
    const OracleFigures& o = *r.oracle;
    nlohmann::json oracle = {{"ctr_auc", number(o.ctr_auc)},
                             {"cvr_auc", number(o.cvr_auc)},
                             {"ctcvr_auc", number(o.ctcvr_auc)},
                             {"ctr_logloss", number(o.ctr_logloss)},
                             {"cvr_logloss", number(o.cvr_logloss)}};
    oracle.update(domain_auc_json(o.domain_cvr));
    j["oracle"] = oracle;
    j["gap_to_oracle"] = {{"ctr_auc", number(o.ctr_auc - r.ctr_auc)},
                          {"cvr_auc", number(o.cvr_auc - r.cvr_auc)},
                          {"ctcvr_auc", number(o.ctcvr_auc - r.ctcvr_auc)},
                          {"ctr_logloss", number(r.ctr_logloss - o.ctr_logloss)},
                          {"cvr_logloss", number(r.cvr_logloss - o.cvr_logloss)},
                          {"domain_cvr_auc_mean", number(o.domain_cvr.mean - r.domain_cvr.mean)},
                          {"domain_cvr_auc_weighted", number(o.domain_cvr.weighted_mean - r.domain_cvr.weighted_mean)}};
  }
  return j;
}

RunDirectory::RunDirectory(std::string dir) : dir_(std::move(dir)) {
  if (dir_.empty()) fail("run directory: no path given (set run.dir)");
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) fail("{}: cannot create the run directory: {}", dir_, ec.message());
  if (!std::filesystem::is_directory(dir_, ec)) fail("{}: exists and is not a directory", dir_);
}

std::string RunDirectory::path(const std::string& name) const { return (std::filesystem::path(dir_) / name).string(); }

void RunDirectory::write_config(const TrainConfig& config) { write_file_atomically(path("config.toml"), to_toml(config)); }

void RunDirectory::write_schema(const Schema& schema) {
  write_file_atomically(path("schema.json"), schema_to_json(schema).dump(2) + "\n");
}

void RunDirectory::append_metrics(const nlohmann::json& record) {
  if (!kept_records_.empty() && kept_records_.count(record_key(record)) != 0) return;
  const std::string file = path("metrics.jsonl");
  if (!metrics_.is_open()) {
    metrics_.open(file, std::ios::out | std::ios::app | std::ios::binary);
    if (!metrics_) fail("{}: cannot open for appending: {}", file, std::strerror(errno));
  }
  // Non-finite numbers become null; the line is a complete JSON object.
  metrics_ << record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  metrics_.flush();
  if (!metrics_) fail("{}: write failed: {}", file, std::strerror(errno));
}

void RunDirectory::resume_metrics_at(std::uint64_t step) {
  const std::string file = path("metrics.jsonl");
  if (metrics_.is_open()) metrics_.close();
  kept_records_.clear();
  std::ifstream in(file, std::ios::binary);
  if (!in) return;
  std::string kept, line;
  while (std::getline(in, line)) {
    if (in.eof()) break;  // no newline: cut short by a crash
    nlohmann::json record;
    try {
      record = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error&) {
      continue;
    }
    const auto at = record.find("step");
    if (record.is_object() && at != record.end() && at->is_number_unsigned() && at->get<std::uint64_t>() > step)
      continue;
    kept += line + "\n";
    kept_records_.insert(record_key(record));
  }
  write_file_atomically(file, kept);
}

void RunDirectory::write_domain_report(const std::string& split, const EvalReport& report,
                                       const Dictionaries& dictionaries, std::uint32_t n_scenarios) {
  const std::size_t n_domains = std::max(report.calibration.size(), report.domain_cvr.auc.size());
  if (n_scenarios == 0 || n_domains % n_scenarios != 0)
    fail("{} domain report: {} domains do not split into {} scenarios", split, n_domains, n_scenarios);
  const auto n_types = static_cast<std::uint32_t>(n_domains / n_scenarios);

  std::string csv = "type,scenario,rows_clicked,conversions,cvr_auc,predicted_cvr,observed_cvr,calibration\n";
  nlohmann::json domains = nlohmann::json::array();
  for (std::uint32_t t = 0; t < n_types; ++t) {
    for (std::uint32_t s = 0; s < n_scenarios; ++s) {
      const std::size_t d = std::size_t{t} * n_scenarios + s;
      const DomainRow row = domain_row(report, d);
      const std::string type = name_of(dictionaries.types, t);
      const std::string scenario = name_of(dictionaries.scenarios, s);
      csv += fmt::format("{},{},{},{},{},{},{},{}\n", csv_field(type), csv_field(scenario), row.clicks,
                         row.conversions, csv_number(row.auc, "{:.6f}"), csv_number(row.predicted_cvr, "{:.6g}"),
                         csv_number(row.observed_cvr, "{:.6g}"), csv_number(row.calibration, "{:.4f}"));
      nlohmann::json entry = {{"type", type},
                              {"scenario", scenario},
                              {"type_id", t},
                              {"scenario_id", s},
                              {"rows_clicked", row.clicks},
                              {"conversions", row.conversions},
                              {"cvr_auc", number(row.auc)},
                              {"predicted_cvr", number(row.predicted_cvr)},
                              {"observed_cvr", number(row.observed_cvr)},
                              {"calibration", number(row.calibration)}};
      if (report.oracle) entry["oracle_cvr_auc"] = number(row.oracle_auc);
      domains.push_back(std::move(entry));
    }
  }
  const nlohmann::json json = {{"split", split},
                               {"n_types", n_types},
                               {"n_scenarios", n_scenarios},
                               {"min_class_count", kMinDomainClassCount},
                               {"figures", eval_report_json(report)},
                               {"domains", domains}};
  write_file_atomically(path(split + "_domains.csv"), csv);
  write_file_atomically(path(split + "_domains.json"), json.dump(2) + "\n");
}

void RunDirectory::write_summary(const nlohmann::json& summary) {
  write_file_atomically(path("summary.json"),
                        summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace mmn
