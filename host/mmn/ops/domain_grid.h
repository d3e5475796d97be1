#pragma once
// Domains d = type * n_scenarios + scenario, and the parameter groups a composed
// layer can draw on: one shared set, one per type, one per scenario, one per domain.
// Plain types: the CUDA kernels (cuda/mmn/kernels/composed_gemm.cuh) use them too.
#include <cstddef>
#include <cstdint>

#include "mmn/util/host_device.h"

namespace mmn {

enum ParamGroup : int { kShared = 0, kType = 1, kScenario = 2, kDomain = 3, kParamGroups = 4 };

inline const char* param_group_name(int g) {
  static const char* names[] = {"shared", "type", "scenario", "domain"};
  return names[g];
}

struct DomainGrid {
  std::uint32_t n_types = 1;
  std::uint32_t n_scenarios = 1;

  MMN_HOST_DEVICE std::uint32_t n_domains() const { return n_types * n_scenarios; }
  MMN_HOST_DEVICE std::uint32_t domain(std::uint32_t type, std::uint32_t scenario) const {
    return type * n_scenarios + scenario;
  }
  MMN_HOST_DEVICE std::uint32_t sets(int group) const {
    switch (group) {
      case kShared: return 1;
      case kType: return n_types;
      case kScenario: return n_scenarios;
      default: return n_domains();
    }
  }
  // Which set of `group` domain d uses.
  MMN_HOST_DEVICE std::uint32_t set_of(int group, std::uint32_t d) const {
    switch (group) {
      case kShared: return 0;
      case kType: return d / n_scenarios;
      case kScenario: return d % n_scenarios;
      default: return d;
    }
  }
};

// out[i] = grid.domain(type[i], scenario[i]) for n rows.
inline void domains_of_rows(const DomainGrid& grid, const std::uint16_t* type, const std::uint16_t* scenario,
                            std::size_t n, std::uint32_t* out) {
  for (std::size_t i = 0; i < n; ++i) out[i] = grid.domain(type[i], scenario[i]);
}

}  // namespace mmn
