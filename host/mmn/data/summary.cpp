#include "mmn/data/summary.h"

#include <algorithm>
#include <mutex>

#include <fmt/format.h>

#include "mmn/data/dataset.h"
#include "mmn/util/thread_pool.h"

namespace mmn {

void DataSummary::add(const ColumnView& v) {
  for (std::size_t i = 0; i < v.rows; ++i) {
    DomainStats& d = domains[std::size_t{v.type[i]} * n_scenarios + v.scenario[i]];
    d.rows += 1;
    d.clicks += v.click[i];
    d.conversions += v.conv[i];
  }
}

DataSummary& DataSummary::operator+=(const DataSummary& o) {
  for (std::size_t i = 0; i < domains.size(); ++i) domains[i] += o.domains[i];
  return *this;
}

DomainStats DataSummary::total() const {
  DomainStats t;
  for (const auto& d : domains) t += d;
  return t;
}

DomainStats DataSummary::type_total(std::uint32_t t) const {
  DomainStats r;
  for (std::uint32_t s = 0; s < n_scenarios; ++s) r += domains[std::size_t{t} * n_scenarios + s];
  return r;
}

DomainStats DataSummary::scenario_total(std::uint32_t s) const {
  DomainStats r;
  for (std::uint32_t t = 0; t < n_types; ++t) r += domains[std::size_t{t} * n_scenarios + s];
  return r;
}

std::uint32_t DataSummary::domains_present() const {
  return static_cast<std::uint32_t>(std::count_if(domains.begin(), domains.end(), [](const DomainStats& d) { return d.rows > 0; }));
}

DataSummary summarize(const Dataset& data, ThreadPool* pool) {
  const Schema& schema = data.schema();
  DataSummary total(schema.n_types, schema.n_scenarios);
  std::mutex mutex;
  auto one = [&](std::size_t i) {
    const RowGroupRef& g = data.row_groups()[i];
    const ShardReader& shard = data.shards()[g.shard];
    const RowRange r = shard.group_rows(g.group);
    DataSummary part(schema.n_types, schema.n_scenarios);
    part.add(shard.columns().slice(r.begin, r.end));
    std::lock_guard<std::mutex> lock(mutex);
    total += part;
  };
  run_tasks(pool, data.row_groups().size(), one);
  return total;
}

namespace {

double ratio(std::uint64_t a, std::uint64_t b) { return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b); }

std::string name_of(const std::vector<std::string>& names, std::uint32_t id) {
  return id < names.size() ? names[id] : std::to_string(id);
}

}  // namespace

std::string format_summary(const DataSummary& s, const Dictionaries& names) {
  const DomainStats t = s.total();
  std::string out;
  out += fmt::format("rows {}  clicks {}  conversions {}\n", t.rows, t.clicks, t.conversions);
  out += fmt::format("CTR {:.4f}%  CVR (per click) {:.4f}%  CTCVR {:.5f}%\n", 100 * ratio(t.clicks, t.rows),
                     100 * ratio(t.conversions, t.clicks), 100 * ratio(t.conversions, t.rows));
  out += fmt::format("domains present {} of {} ({} types x {} scenarios)\n", s.domains_present(),
                     s.domains.size(), s.n_types, s.n_scenarios);
  out += fmt::format("{:<16} {:>12} {:>10} {:>10} {:>10}\n", "type", "rows", "clicks", "conv", "CVR %");
  for (std::uint32_t ty = 0; ty < s.n_types; ++ty) {
    const DomainStats d = s.type_total(ty);
    out += fmt::format("{:<16} {:>12} {:>10} {:>10} {:>10.4f}\n", name_of(names.types, ty), d.rows, d.clicks,
                       d.conversions, 100 * ratio(d.conversions, d.clicks));
  }
  std::vector<std::uint32_t> present;
  for (std::uint32_t i = 0; i < s.domains.size(); ++i)
    if (s.domains[i].rows > 0) present.push_back(i);
  std::sort(present.begin(), present.end(), [&](std::uint32_t a, std::uint32_t b) {
    return s.domains[a].rows != s.domains[b].rows ? s.domains[a].rows < s.domains[b].rows : a < b;
  });
  if (present.size() > 5) present.resize(5);
  out += "rarest domains:";
  for (const auto i : present)
    out += fmt::format(" ({}, {}) {} rows;", name_of(names.types, i / s.n_scenarios),
                       name_of(names.scenarios, i % s.n_scenarios), s.domains[i].rows);
  out += "\n";
  return out;
}

}  // namespace mmn
