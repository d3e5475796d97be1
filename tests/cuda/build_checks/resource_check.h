#pragma once
// Checks a ptxas resource report against the declared budgets: every problem names the
// kernel (or function) and the architecture.
#include <string>
#include <vector>

#include "resource_budgets.h"
#include "resource_report.h"

namespace mmn::build_checks {

struct CheckResult {
  std::vector<std::string> problems;  // each one fails the check
  std::vector<std::string> notes;     // budgets no kernel in the report uses
  bool passed() const { return problems.empty(); }
};

// Problems: a spill in any function; a kernel over its register or shared-memory budget; a
// kernel with no budget entry; an architecture of expected_archs with no kernels, or a
// kernel compiled for some expected architectures but not for all; an empty report.
CheckResult check_resources(const std::vector<FunctionUsage>& functions, const std::vector<KernelBudget>& budgets,
                            const std::vector<std::string>& expected_archs);

// The budget entry a kernel falls under, or null: its qualified name, or that name without
// template arguments.
const KernelBudget* budget_for(const FunctionUsage& kernel, const std::vector<KernelBudget>& budgets);

// One line per function: name, architecture, registers, shared bytes, stack, spills, budget.
std::string usage_table(const std::vector<FunctionUsage>& functions, const std::vector<KernelBudget>& budgets);

}  // namespace mmn::build_checks
