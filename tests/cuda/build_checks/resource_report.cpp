#include "resource_report.h"

#include <cxxabi.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <sstream>

namespace mmn::build_checks {
namespace {

std::string demangle(const std::string& mangled) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> text(abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status),
                                             std::free);
  return status == 0 && text ? std::string(text.get()) : mangled;
}

// The function a "Function properties for" or "Used ... registers" line belongs to: the last
// one of that name and architecture, added when first seen.
FunctionUsage& function_named(std::vector<FunctionUsage>& functions, const std::string& mangled,
                              const std::string& arch) {
  for (auto it = functions.rbegin(); it != functions.rend(); ++it)
    if (it->mangled == mangled && it->arch == arch) return *it;
  FunctionUsage f;
  f.mangled = mangled;
  f.name = demangle(mangled);
  f.arch = arch;
  functions.push_back(f);
  return functions.back();
}

bool contains(const std::string& line, const char* text) { return line.find(text) != std::string::npos; }

// The index-th '...' quoted string of the line ("" when there is none).
std::string quoted(const std::string& line, int index) {
  std::size_t open = std::string::npos, from = 0;
  for (int i = 0; i <= index; ++i) {
    open = line.find('\'', from);
    if (open == std::string::npos) return {};
    const std::size_t close = line.find('\'', open + 1);
    if (close == std::string::npos) return {};
    if (i == index) return line.substr(open + 1, close - open - 1);
    from = close + 1;
  }
  return {};
}

// The first word after marker.
std::string after(const std::string& line, const char* marker) {
  std::istringstream rest(line.substr(line.find(marker) + std::string(marker).size()));
  std::string word;
  rest >> word;
  return word;
}

// The decimal number just before the first occurrence of suffix; 0 when it is absent.
std::uint64_t number_before(const std::string& line, const char* suffix) {
  const std::size_t end = line.find(suffix);
  if (end == std::string::npos) return 0;
  std::size_t begin = end;
  while (begin > 0 && std::isdigit(static_cast<unsigned char>(line[begin - 1]))) --begin;
  return begin == end ? 0 : std::stoull(line.substr(begin, end - begin));
}

}  // namespace

std::vector<FunctionUsage> parse_resource_report(const std::string& report) {
  std::vector<FunctionUsage> functions;
  std::string arch;           // of the function being compiled
  std::string current;        // mangled name the next "Used" line describes
  std::string properties_of;  // mangled name the next stack-frame line describes
  std::istringstream lines(report);
  std::string line;
  while (std::getline(lines, line)) {
    if (contains(line, "Compiling entry function '") || contains(line, "Compiling function '")) {
      current = quoted(line, 0);
      arch = quoted(line, 1);
      function_named(functions, current, arch).entry = contains(line, "entry function");
    } else if (contains(line, "Function properties for ")) {
      properties_of = after(line, "Function properties for ");
      function_named(functions, properties_of, arch);
    } else if (contains(line, "bytes stack frame") && !properties_of.empty()) {
      FunctionUsage& f = function_named(functions, properties_of, arch);
      f.stack_bytes = number_before(line, " bytes stack frame");
      f.spill_store_bytes = std::max(f.spill_store_bytes, number_before(line, " bytes spill stores"));
      f.spill_load_bytes = std::max(f.spill_load_bytes, number_before(line, " bytes spill loads"));
    } else if (contains(line, "Used ") && contains(line, " registers") && !current.empty()) {
      FunctionUsage& f = function_named(functions, current, arch);
      f.registers = static_cast<std::uint32_t>(number_before(line, " registers"));
      f.shared_bytes = number_before(line, " bytes smem");
    } else if (contains(line, "Registers are spilled to local memory in function '")) {
      FunctionUsage& f = function_named(functions, quoted(line, 0), arch);
      f.spill_store_bytes = std::max(f.spill_store_bytes, number_before(line, " bytes spill stores"));
      f.spill_load_bytes = std::max(f.spill_load_bytes, number_before(line, " bytes spill loads"));
    }
  }
  return functions;
}

std::string qualified_name(const std::string& demangled) {
  std::string name = demangled;
  if (!name.empty() && name.back() == ')') {  // drop the parameter list
    int depth = 0;
    for (std::size_t i = name.size(); i-- > 0;) {
      if (name[i] == ')') ++depth;
      if (name[i] == '(' && --depth == 0) {
        name.erase(i);
        break;
      }
    }
  }
  int depth = 0;  // drop a return type: everything up to the last space outside <...> and (...)
  std::size_t start = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '<' || name[i] == '(') ++depth;
    if (name[i] == '>' || name[i] == ')') --depth;
    if (name[i] == ' ' && depth == 0) start = i + 1;
  }
  return name.substr(start);
}

}  // namespace mmn::build_checks
