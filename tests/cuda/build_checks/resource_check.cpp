#include "resource_check.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace mmn::build_checks {
namespace {

std::string without_template_arguments(const std::string& name) {
  if (name.empty() || name.back() != '>') return name;
  int depth = 0;
  for (std::size_t i = name.size(); i-- > 0;) {
    if (name[i] == '>') ++depth;
    if (name[i] == '<' && --depth == 0) return name.substr(0, i);
  }
  return name;
}

std::string label(const FunctionUsage& f) { return fmt::format("{} on {}", qualified_name(f.name), f.arch); }

}  // namespace

const KernelBudget* budget_for(const FunctionUsage& kernel, const std::vector<KernelBudget>& budgets) {
  const std::string name = qualified_name(kernel.name);
  for (const KernelBudget& b : budgets)
    if (b.name == name) return &b;
  const std::string generic = without_template_arguments(name);
  for (const KernelBudget& b : budgets)
    if (b.name == generic) return &b;
  return nullptr;
}

CheckResult check_resources(const std::vector<FunctionUsage>& functions, const std::vector<KernelBudget>& budgets,
                            const std::vector<std::string>& expected_archs) {
  CheckResult result;
  std::set<const KernelBudget*> used;
  std::map<std::string, std::set<std::string>> archs_of_kernel;
  std::set<std::string> archs_seen;
  for (const FunctionUsage& f : functions) {
    if (f.spill_store_bytes != 0 || f.spill_load_bytes != 0)
      result.problems.push_back(fmt::format("{}: spills registers ({} bytes spill stores, {} bytes spill loads)",
                                            label(f), f.spill_store_bytes, f.spill_load_bytes));
    if (!f.entry) continue;
    archs_seen.insert(f.arch);
    archs_of_kernel[qualified_name(f.name)].insert(f.arch);
    const KernelBudget* budget = budget_for(f, budgets);
    if (budget == nullptr) {
      result.problems.push_back(fmt::format(
          "{}: no budget in the budget file (add a [[kernel]] entry with name = \"{}\"; it uses {} registers, {} "
          "bytes static shared memory)",
          label(f), qualified_name(f.name), f.registers, f.shared_bytes));
      continue;
    }
    used.insert(budget);
    if (f.registers > budget->registers)
      result.problems.push_back(fmt::format("{}: {} registers per thread, over its budget of {}", label(f),
                                            f.registers, budget->registers));
    if (f.shared_bytes > budget->shared_bytes)
      result.problems.push_back(fmt::format("{}: {} bytes static shared memory, over its budget of {}", label(f),
                                            f.shared_bytes, budget->shared_bytes));
  }
  if (archs_seen.empty()) result.problems.push_back("the report names no kernels (was it made with --resource-usage?)");
  for (const std::string& arch : expected_archs) {
    if (!archs_seen.empty() && archs_seen.count(arch) == 0) {
      result.problems.push_back(fmt::format("{}: no kernels compiled for this architecture", arch));
      continue;
    }
    for (const auto& [kernel, archs] : archs_of_kernel)
      if (archs.count(arch) == 0 && archs_seen.count(arch) != 0)
        result.problems.push_back(fmt::format("{} on {}: missing from the report", kernel, arch));
  }
  for (const KernelBudget& b : budgets)
    if (used.count(&b) == 0) result.notes.push_back(fmt::format("budget for {}: no such kernel in the report", b.name));
  return result;
}

std::string usage_table(const std::vector<FunctionUsage>& functions, const std::vector<KernelBudget>& budgets) {
  std::string table = fmt::format("{:<48} {:<6} {:>4} {:>7} {:>6} {:>6} {:>6} {:>8} {:>8}\n", "kernel", "arch",
                                  "regs", "smem", "stack", "spillS", "spillL", "reg_bdg", "smem_bdg");
  std::vector<const FunctionUsage*> sorted;
  for (const FunctionUsage& f : functions) sorted.push_back(&f);
  std::stable_sort(sorted.begin(), sorted.end(), [](const FunctionUsage* a, const FunctionUsage* b) {
    return std::make_pair(qualified_name(a->name), a->arch) < std::make_pair(qualified_name(b->name), b->arch);
  });
  for (const FunctionUsage* f : sorted) {
    const KernelBudget* budget = f->entry ? budget_for(*f, budgets) : nullptr;
    table += fmt::format("{:<48} {:<6} {:>4} {:>7} {:>6} {:>6} {:>6} {:>8} {:>8}\n",
                         qualified_name(f->name) + (f->entry ? "" : " (device function)"), f->arch, f->registers,
                         f->shared_bytes, f->stack_bytes, f->spill_store_bytes, f->spill_load_bytes,
                         budget ? std::to_string(budget->registers) : "-",
                         budget ? std::to_string(budget->shared_bytes) : "-");
  }
  return table;
}

}  // namespace mmn::build_checks
