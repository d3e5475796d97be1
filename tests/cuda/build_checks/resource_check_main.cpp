// resource_check BUDGETS REPORT [--arch sm_80 ...]: checks nvcc's resource report (made with
// --resource-usage -Xptxas -warn-spills) against the kernels' declared budgets. Prints the
// usage table and every problem; exit status 1 when there is one, 2 on unreadable input.
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "resource_check.h"

int main(int argc, char** argv) {
  CLI::App app("Checks nvcc's ptxas resource report against the kernels' declared budgets");
  std::string budgets_path, report_path;
  std::vector<std::string> archs;
  app.add_option("budgets", budgets_path, "budget file (TOML, [[kernel]] entries)")->required();
  app.add_option("report", report_path, "nvcc output with --resource-usage -Xptxas -warn-spills")->required();
  app.add_option("--arch", archs, "architecture every kernel must be reported for, e.g. sm_80 (repeatable)");
  CLI11_PARSE(app, argc, argv);

  using namespace mmn::build_checks;
  try {
    const std::vector<KernelBudget> budgets = load_budgets(budgets_path);
    std::ifstream in(report_path, std::ios::binary);
    if (!in) throw std::runtime_error(report_path + ": cannot open the resource report");
    std::ostringstream report;
    report << in.rdbuf();
    const std::vector<FunctionUsage> functions = parse_resource_report(report.str());
    std::cout << usage_table(functions, budgets);
    const CheckResult result = check_resources(functions, budgets, archs);
    for (const std::string& note : result.notes) std::cout << "note: " << note << "\n";
    for (const std::string& problem : result.problems) std::cerr << "resource check FAILED: " << problem << "\n";
    if (result.passed()) std::cout << "resource check passed: " << functions.size() << " functions, budgets from "
                                   << budgets_path << "\n";
    return result.passed() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "resource_check: " << e.what() << "\n";
    return 2;
  }
}
