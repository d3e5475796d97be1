#pragma once
// Counts of rows, clicks and conversions per domain (type x scenario), and the
// text table `mmn synth` and `mmn data inspect` print.
#include <cstdint>
#include <string>
#include <vector>

#include "mmn/data/column_view.h"
#include "mmn/data/schema.h"

namespace mmn {

class Dataset;
class ThreadPool;

struct DomainStats {
  std::uint64_t rows = 0;
  std::uint64_t clicks = 0;
  std::uint64_t conversions = 0;
  DomainStats& operator+=(const DomainStats& o) {
    rows += o.rows;
    clicks += o.clicks;
    conversions += o.conversions;
    return *this;
  }
};

struct DataSummary {
  std::uint32_t n_types = 0;
  std::uint32_t n_scenarios = 0;
  std::vector<DomainStats> domains;  // [type * n_scenarios + scenario]

  DataSummary() = default;
  DataSummary(std::uint32_t types, std::uint32_t scenarios)
      : n_types(types), n_scenarios(scenarios), domains(std::size_t{types} * scenarios) {}

  void add(const ColumnView& rows);
  DataSummary& operator+=(const DataSummary& o);
  DomainStats total() const;
  DomainStats type_total(std::uint32_t t) const;
  DomainStats scenario_total(std::uint32_t s) const;
  std::uint32_t domains_present() const;
};

DataSummary summarize(const Dataset& data, ThreadPool* pool = nullptr);

// Rows, CTR, CVR (conversions per click) overall and per type, domains present,
// and the rarest present domains.
std::string format_summary(const DataSummary& summary, const Dictionaries& names);

}  // namespace mmn
