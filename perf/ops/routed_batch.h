#pragma once
// A criteo-like batch already routed: domain ids, the routing, and routed layer inputs.
#include "mmn/ops/routing.h"
#include "op_fixtures.h"

namespace mmn::perf {

struct RoutedBatch {
  std::vector<std::uint32_t> domain;
  Routing routing;

  RoutedBatch(const DomainGrid& grid, std::size_t rows, std::uint32_t seed = 5)
      : domain(zipf_domains(rows, grid.n_domains(), seed)) {
    route_by_domain(domain.data(), domain.size(), grid.n_domains(), routing);
  }
  double rows() const { return static_cast<double>(domain.size()); }
  double active() const { return static_cast<double>(routing.active.size()); }
};

}  // namespace mmn::perf
