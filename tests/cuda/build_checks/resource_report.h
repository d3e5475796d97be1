#pragma once
// What ptxas says about each function it compiles (nvcc --resource-usage, -Xptxas -warn-spills):
// registers, static shared memory and spills, per function and target architecture.
#include <cstdint>
#include <string>
#include <vector>

namespace mmn::build_checks {

struct FunctionUsage {
  std::string mangled;   // as ptxas prints it
  std::string name;      // demangled (the mangled name when it does not demangle)
  std::string arch;      // "sm_80"
  bool entry = false;    // a kernel (__global__), not a called device function
  std::uint32_t registers = 0;
  std::uint64_t shared_bytes = 0;  // static shared memory
  std::uint64_t stack_bytes = 0;
  std::uint64_t spill_store_bytes = 0;
  std::uint64_t spill_load_bytes = 0;
};

// Every function of the report, in the order ptxas compiled them. Lines ptxas does not
// emit for functions (gmem totals, compile times, compiler remarks) are ignored.
std::vector<FunctionUsage> parse_resource_report(const std::string& report);

// "mmn::kernels::route_scatter" from "mmn::kernels::route_scatter(const unsigned int*, ...)"
// and "scale<float, 4>" from "void scale<float, 4>(float*)": the name without the parameter
// list and without the return type a template's demangled name starts with.
std::string qualified_name(const std::string& demangled);

}  // namespace mmn::build_checks
