#include "mmn/train/report_table.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

namespace mmn {
namespace {

std::string fixed(double v, int digits) {
  if (!std::isfinite(v)) return "-";
  return fmt::format("{:.{}f}", v, digits);
}

std::string signed_fixed(double v, int digits) {
  if (!std::isfinite(v)) return "-";
  return fmt::format("{:+.{}f}", v, digits);
}

std::string scored(const DomainAuc& d) { return fmt::format("{}/{}", d.scored, d.auc.size()); }

}  // namespace

std::string format_eval_table(const std::string& title, const std::vector<std::pair<std::string, EvalReport>>& runs) {
  const OracleFigures* oracle = nullptr;
  for (const auto& run : runs) {
    if (run.second.oracle) {
      oracle = &*run.second.oracle;
      break;
    }
  }

  std::vector<std::string> header = {"metric"};
  for (const auto& run : runs) header.push_back(run.first);
  if (oracle != nullptr) header.push_back("oracle");

  std::vector<std::vector<std::string>> rows;
  // One row: the label, a cell per run, and the oracle's cell when there is an oracle column.
  auto add = [&](const std::string& label, const std::function<std::string(const EvalReport&)>& cell,
                 const std::function<std::string(const OracleFigures&)>& oracle_cell) {
    std::vector<std::string> row = {label};
    for (const auto& run : runs) row.push_back(cell(run.second));
    if (oracle != nullptr) row.push_back(oracle_cell ? oracle_cell(*oracle) : "");
    rows.push_back(std::move(row));
  };
  add("CTR AUC", [](const EvalReport& r) { return fixed(r.ctr_auc, 4); },
      [](const OracleFigures& o) { return fixed(o.ctr_auc, 4); });
  add("CVR AUC (clicked)", [](const EvalReport& r) { return fixed(r.cvr_auc, 4); },
      [](const OracleFigures& o) { return fixed(o.cvr_auc, 4); });
  add("CTCVR AUC", [](const EvalReport& r) { return fixed(r.ctcvr_auc, 4); },
      [](const OracleFigures& o) { return fixed(o.ctcvr_auc, 4); });
  add("mean per-domain CVR AUC", [](const EvalReport& r) { return fixed(r.domain_cvr.mean, 4); },
      [](const OracleFigures& o) { return fixed(o.domain_cvr.mean, 4); });
  add("traffic-weighted per-domain CVR AUC", [](const EvalReport& r) { return fixed(r.domain_cvr.weighted_mean, 4); },
      [](const OracleFigures& o) { return fixed(o.domain_cvr.weighted_mean, 4); });
  add("domains scored", [](const EvalReport& r) { return scored(r.domain_cvr); },
      [](const OracleFigures& o) { return scored(o.domain_cvr); });
  add("CTR logloss", [](const EvalReport& r) { return fixed(r.ctr_logloss, 5); },
      [](const OracleFigures& o) { return fixed(o.ctr_logloss, 5); });
  add("CVR logloss", [](const EvalReport& r) { return fixed(r.cvr_logloss, 5); },
      [](const OracleFigures& o) { return fixed(o.cvr_logloss, 5); });
  if (oracle != nullptr) {
    const OracleFigures& o = *oracle;
    add("gap to oracle, mean per-domain CVR AUC",
        [&o](const EvalReport& r) { return signed_fixed(o.domain_cvr.mean - r.domain_cvr.mean, 4); }, nullptr);
    add("gap to oracle, weighted per-domain CVR AUC",
        [&o](const EvalReport& r) { return signed_fixed(o.domain_cvr.weighted_mean - r.domain_cvr.weighted_mean, 4); },
        nullptr);
  }

  std::vector<std::size_t> width(header.size(), 0);
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out = fmt::format("{:<{}}", cells[0], width[0]);
    for (std::size_t c = 1; c < cells.size(); ++c) out += fmt::format("  {:>{}}", cells[c], width[c]);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::size_t total = width[0];
  for (std::size_t c = 1; c < width.size(); ++c) total += 2 + width[c];

  std::string out;
  if (!title.empty()) out += title + "\n";
  out += line(header);
  out += std::string(total, '-') + "\n";
  for (const auto& row : rows) out += line(row);
  return out;
}

}  // namespace mmn
