// The resource checker on hand-written ptxas reports: it must pass a clean report and fail,
// naming the kernel and the architecture, on a spill, a kernel over budget, a kernel with no
// budget and an architecture missing from the report.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "resource_check.h"
#include "testing/error_of.h"

namespace mmn::build_checks {
namespace {

using mmn::testing::error_of;

// ptxas's lines for one kernel, as nvcc --resource-usage -Xptxas -warn-spills prints them.
std::string kernel_lines(const std::string& mangled, const std::string& arch, int registers, int smem,
                         int spill_stores = 0, int spill_loads = 0) {
  std::string s = "ptxas info    : Compiling entry function '" + mangled + "' for '" + arch + "'\n";
  if (spill_stores != 0 || spill_loads != 0)
    s += "ptxas warning : Registers are spilled to local memory in function '" + mangled + "', " +
         std::to_string(spill_stores) + " bytes spill stores, " + std::to_string(spill_loads) + " bytes spill loads\n";
  s += "ptxas info    : Function properties for " + mangled + "\n";
  s += "    " + std::to_string(spill_stores != 0 ? 8 : 0) + " bytes stack frame, " + std::to_string(spill_stores) +
       " bytes spill stores, " + std::to_string(spill_loads) + " bytes spill loads\n";
  s += "ptxas info    : Used " + std::to_string(registers) + " registers, used 1 barriers";
  if (smem != 0) s += ", " + std::to_string(smem) + " bytes smem";
  s += ", 376 bytes cmem[0]\nptxas info    : Compile time = 20.341 ms\n";
  return s;
}

const char* const kScatter = "_ZN3mmn7kernels13route_scatterEPKjjS2_Pj";
const char* const kSumLosses = "_ZN3mmn7kernels16sum_block_lossesEPKfjfPf";
const char* const kScaleTemplate = "_ZN3mmn7kernels5scaleIfLi4EEEvPf";  // void mmn::kernels::scale<float, 4>(float*)

std::string both_archs(int scatter_registers_on_90 = 20) {
  return "ptxas info    : 0 bytes gmem\n" + kernel_lines(kScatter, "sm_80", 18, 1024) +
         kernel_lines(kSumLosses, "sm_80", 11, 1024) + kernel_lines(kScaleTemplate, "sm_80", 8, 0) +
         "ptxas info    : 0 bytes gmem\n" + kernel_lines(kScatter, "sm_90", scatter_registers_on_90, 1024) +
         kernel_lines(kSumLosses, "sm_90", 12, 1024) + kernel_lines(kScaleTemplate, "sm_90", 8, 0);
}

const char* const kBudgets = R"(
[[kernel]]
name = "mmn::kernels::route_scatter"
registers = 24
shared_bytes = 1024

[[kernel]]
name = "mmn::kernels::sum_block_losses"
registers = 16
shared_bytes = 1024

[[kernel]]
name = "mmn::kernels::scale"
registers = 8
shared_bytes = 0
)";

const std::vector<std::string> kArchs = {"sm_80", "sm_90"};

std::string all_problems(const CheckResult& r) {
  std::string text;
  for (const std::string& p : r.problems) text += p + "\n";
  return text;
}

TEST(ResourceReport, ParsesEveryKernelOfEveryArchitecture) {
  const std::vector<FunctionUsage> f = parse_resource_report(both_archs());
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0].name, "mmn::kernels::route_scatter(unsigned int const*, unsigned int, unsigned int const*, unsigned int*)");
  EXPECT_EQ(f[0].arch, "sm_80");
  EXPECT_TRUE(f[0].entry);
  EXPECT_EQ(f[0].registers, 18u);
  EXPECT_EQ(f[0].shared_bytes, 1024u);
  EXPECT_EQ(f[2].shared_bytes, 0u);  // no "bytes smem" on the line
  EXPECT_EQ(f[3].arch, "sm_90");
  EXPECT_EQ(f[3].registers, 20u);
  EXPECT_EQ(f[4].registers, 12u);
}

TEST(ResourceReport, QualifiedNamesDropParametersAndReturnTypes) {
  EXPECT_EQ(qualified_name("mmn::kernels::route_scatter(unsigned int const*, unsigned int)"), "mmn::kernels::route_scatter");
  EXPECT_EQ(qualified_name("void mmn::kernels::scale<float, 4>(float*)"), "mmn::kernels::scale<float, 4>");
  EXPECT_EQ(qualified_name("void mmn::fold<(bool)1>(float*)"), "mmn::fold<(bool)1>");
  EXPECT_EQ(qualified_name("(anonymous namespace)::k(int)"), "(anonymous namespace)::k");
}

TEST(ResourceCheck, PassesACleanReportWithinBudget) {
  const CheckResult r = check_resources(parse_resource_report(both_archs()), parse_budgets(kBudgets, "budgets"), kArchs);
  EXPECT_TRUE(r.passed()) << all_problems(r);
  EXPECT_TRUE(r.notes.empty());
}

TEST(ResourceCheck, TemplateBudgetWithoutArgumentsCoversEveryInstantiation) {
  const auto f = parse_resource_report(both_archs());
  const auto budgets = parse_budgets(kBudgets, "budgets");
  ASSERT_NE(budget_for(f[2], budgets), nullptr);
  EXPECT_EQ(budget_for(f[2], budgets)->name, "mmn::kernels::scale");
}

TEST(ResourceCheck, FailsOnASpillNamingKernelAndArchitecture) {
  const std::string report = both_archs() + kernel_lines("_ZN3mmn7kernels5spillEv", "sm_90", 255, 0, 48, 40);
  const std::string budgets = std::string(kBudgets) + "[[kernel]]\nname = \"mmn::kernels::spill\"\nregisters = 255\nshared_bytes = 0\n";
  const CheckResult r = check_resources(parse_resource_report(report), parse_budgets(budgets, "budgets"), {"sm_90"});
  ASSERT_EQ(r.problems.size(), 1u) << all_problems(r);
  EXPECT_EQ(r.problems[0], "mmn::kernels::spill on sm_90: spills registers (48 bytes spill stores, 40 bytes spill loads)");
}

TEST(ResourceCheck, FailsOnADeviceFunctionThatSpills) {
  const std::string report = both_archs() +
                             "ptxas info    : Function properties for _ZN3mmn7kernels6helperEv\n"
                             "    16 bytes stack frame, 16 bytes spill stores, 16 bytes spill loads\n";
  const CheckResult r = check_resources(parse_resource_report(report), parse_budgets(kBudgets, "budgets"), kArchs);
  ASSERT_EQ(r.problems.size(), 1u) << all_problems(r);
  EXPECT_NE(r.problems[0].find("mmn::kernels::helper on sm_90: spills registers"), std::string::npos) << r.problems[0];
}

TEST(ResourceCheck, FailsOnAKernelOverItsRegisterBudget) {
  const CheckResult r =
      check_resources(parse_resource_report(both_archs(25)), parse_budgets(kBudgets, "budgets"), kArchs);
  ASSERT_EQ(r.problems.size(), 1u) << all_problems(r);
  EXPECT_EQ(r.problems[0], "mmn::kernels::route_scatter on sm_90: 25 registers per thread, over its budget of 24");
}

TEST(ResourceCheck, FailsOnAKernelOverItsSharedMemoryBudget) {
  const std::string report = kernel_lines(kSumLosses, "sm_80", 11, 2048);
  const CheckResult r = check_resources(parse_resource_report(report), parse_budgets(kBudgets, "budgets"), {"sm_80"});
  ASSERT_EQ(r.problems.size(), 1u) << all_problems(r);
  EXPECT_EQ(r.problems[0],
            "mmn::kernels::sum_block_losses on sm_80: 2048 bytes static shared memory, over its budget of 1024");
  EXPECT_EQ(r.notes.size(), 2u);  // route_scatter and scale: budgets with no kernel here
}

TEST(ResourceCheck, FailsOnAKernelWithNoBudget) {
  const std::string report = both_archs() + kernel_lines("_ZN3mmn7kernels9new_thingEPf", "sm_80", 30, 512) +
                             kernel_lines("_ZN3mmn7kernels9new_thingEPf", "sm_90", 30, 512);
  const CheckResult r = check_resources(parse_resource_report(report), parse_budgets(kBudgets, "budgets"), kArchs);
  ASSERT_EQ(r.problems.size(), 2u) << all_problems(r);
  EXPECT_EQ(r.problems[0].rfind("mmn::kernels::new_thing on sm_80: no budget in the budget file", 0), 0u) << r.problems[0];
  EXPECT_EQ(r.problems[1].rfind("mmn::kernels::new_thing on sm_90: no budget", 0), 0u) << r.problems[1];
}

TEST(ResourceCheck, FailsWhenAnArchitectureOrAKernelIsMissing) {
  const std::string sm80_only = kernel_lines(kScatter, "sm_80", 18, 1024) + kernel_lines(kSumLosses, "sm_80", 11, 1024);
  CheckResult r = check_resources(parse_resource_report(sm80_only), parse_budgets(kBudgets, "budgets"), kArchs);
  ASSERT_EQ(r.problems.size(), 1u) << all_problems(r);
  EXPECT_EQ(r.problems[0], "sm_90: no kernels compiled for this architecture");

  const std::string lopsided = sm80_only + kernel_lines(kScatter, "sm_90", 18, 1024);
  r = check_resources(parse_resource_report(lopsided), parse_budgets(kBudgets, "budgets"), kArchs);
  ASSERT_EQ(r.problems.size(), 1u) << all_problems(r);
  EXPECT_EQ(r.problems[0], "mmn::kernels::sum_block_losses on sm_90: missing from the report");
}

TEST(ResourceCheck, FailsOnAReportWithNoKernels) {
  const CheckResult r = check_resources(parse_resource_report("nvcc warning : nothing\n"),
                                        parse_budgets(kBudgets, "budgets"), kArchs);
  ASSERT_EQ(r.problems.size(), 1u) << all_problems(r);
  EXPECT_NE(r.problems[0].find("no kernels"), std::string::npos);
}

TEST(ResourceBudgets, BadFilesNameTheEntryAndTheProblem) {
  EXPECT_EQ(error_of([] { parse_budgets("[[kernel]]\nname = \"k\"\nshared_bytes = 0\n", "b.toml"); }),
            "b.toml: [[kernel]] entry 1 (k): 'registers' must be an integer");
  EXPECT_EQ(error_of([] { parse_budgets("[[kernel]]\nname = \"k\"\nregisters = 300\nshared_bytes = 0\n", "b.toml"); }),
            "b.toml: [[kernel]] entry 1 (k): 'registers' must be 1..255");
  EXPECT_EQ(error_of([] {
              parse_budgets("[[kernel]]\nname = \"k\"\nregisters = 3\nshared_bytes = 0\nsmem = 1\n", "b.toml");
            }),
            "b.toml: [[kernel]] entry 1 (k): unknown key 'smem' (expected name, registers, shared_bytes)");
  EXPECT_EQ(error_of([] {
              parse_budgets("[[kernel]]\nname = \"k\"\nregisters = 3\nshared_bytes = 0\n"
                            "[[kernel]]\nname = \"k\"\nregisters = 3\nshared_bytes = 0\n",
                            "b.toml");
            }),
            "b.toml: [[kernel]] entry 2 (k): name given twice");
  EXPECT_EQ(error_of([] { parse_budgets("[[kernel]]\nname = \"k\"\nregisters = 3\nshared_bytes = -1\n", "b.toml"); }),
            "b.toml: [[kernel]] entry 1 (k): 'shared_bytes' must not be negative");
  EXPECT_NE(error_of([] { parse_budgets("[[kernel]\n", "b.toml"); }).find("b.toml: line 1"), std::string::npos);
  EXPECT_EQ(error_of([] { load_budgets("/nonexistent/budgets.toml"); }),
            "/nonexistent/budgets.toml: cannot open the budget file");
}

}  // namespace
}  // namespace mmn::build_checks
