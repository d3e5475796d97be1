#pragma once
// The declared resource budget of every kernel (cuda/mmn/kernels/resource_budgets.toml):
//   [[kernel]]
//   name = "mmn::kernels::route_scatter"   # qualified name; a template's name without
//   registers = 24                           # arguments covers every instantiation
//   shared_bytes = 1024                      # static shared memory per block
// The same budget holds on every architecture the build targets.
#include <cstdint>
#include <string>
#include <vector>

namespace mmn::build_checks {

struct KernelBudget {
  std::string name;
  std::uint32_t registers = 0;
  std::uint64_t shared_bytes = 0;
};

// Throws mmn::Error naming the file, the entry and the problem for a file that does
// not parse, a missing or non-positive field, an unknown key or a name given twice.
std::vector<KernelBudget> load_budgets(const std::string& path);
std::vector<KernelBudget> parse_budgets(const std::string& toml_text, const std::string& source_name);

}  // namespace mmn::build_checks
