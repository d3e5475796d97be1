#include "resource_budgets.h"

#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "mmn/util/error.h"

namespace mmn::build_checks {
namespace {

[[noreturn]] void bad(const std::string& source, const std::string& where, const std::string& problem) {
  fail("{}: {}: {}", source, where, problem);
}

std::int64_t non_negative_integer(const toml::table& entry, const char* key, const std::string& source,
                              const std::string& where) {
  const auto value = entry[key].value<std::int64_t>();
  if (!value) bad(source, where, std::string("'") + key + "' must be an integer");
  if (*value < 0) bad(source, where, std::string("'") + key + "' must not be negative");
  return *value;
}

}  // namespace

std::vector<KernelBudget> parse_budgets(const std::string& toml_text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream where;
    where << "line " << e.source().begin.line << ", column " << e.source().begin.column;
    bad(source_name, where.str(), std::string(e.description()));
  }
  for (const auto& [key, node] : root)
    if (key.str() != "kernel") bad(source_name, "top level", "unknown key '" + std::string(key.str()) + "' (expected [[kernel]] entries)");
  const toml::array* entries = root["kernel"].as_array();
  if (entries == nullptr) bad(source_name, "top level", "no [[kernel]] entries");

  std::vector<KernelBudget> budgets;
  std::set<std::string> names;
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const std::string where = "[[kernel]] entry " + std::to_string(i + 1);
    const toml::table* entry = (*entries)[i].as_table();
    if (entry == nullptr) bad(source_name, where, "not a table");
    KernelBudget budget;
    const auto name = (*entry)["name"].value<std::string>();
    if (!name || name->empty()) bad(source_name, where, "'name' must be a non-empty string");
    budget.name = *name;
    const std::string named = where + " (" + budget.name + ")";
    if (!names.insert(budget.name).second) bad(source_name, named, "name given twice");
    for (const auto& [key, node] : *entry)
      if (key.str() != "name" && key.str() != "registers" && key.str() != "shared_bytes")
        bad(source_name, named, "unknown key '" + std::string(key.str()) + "' (expected name, registers, shared_bytes)");
    budget.registers = static_cast<std::uint32_t>(non_negative_integer(*entry, "registers", source_name, named));
    if (budget.registers == 0 || budget.registers > 255) bad(source_name, named, "'registers' must be 1..255");
    budget.shared_bytes = static_cast<std::uint64_t>(non_negative_integer(*entry, "shared_bytes", source_name, named));
    budgets.push_back(budget);
  }
  return budgets;
}

std::vector<KernelBudget> load_budgets(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open the budget file", path);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_budgets(text.str(), path);
}

}  // namespace mmn::build_checks
