#pragma once
// A configuration value as read from a TOML file or from a --set override, before the checks of
// the key it is for, and the TOML text a resolved value is written back as.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace mmn::config {

enum class Kind { string, boolean, integer, floating, int_list };

// "a string", "true or false", ...: what a key of this kind takes.
const char* describe(Kind k);

struct Value {
  std::optional<Kind> kind;  // empty: something no key takes (a table, a date, ...)
  std::string what;          // what the value is, for messages ("a string", "a table", ...)
  std::string text;
  bool boolean = false;
  std::int64_t integer = 0;
  double floating = 0.0;
  std::vector<std::int64_t> list;
};

// Where a value came from: "at cfg.toml:4" or "in --set 'model.kind=x'".
struct Where {
  std::string text;
};

Value from_node(const toml::node& node);
// A --set value parsed for a key of kind `kind`; throws naming the key and the override.
Value from_text(Kind kind, const std::string& raw, const std::string& key, const Where& where);
// Throws unless `v` suits a key of kind `kind` (an integer suits a floating-point key).
void expect_kind(const Value& v, Kind kind, const std::string& key, const Where& where);

std::string_view trim(std::string_view s);
std::string toml_string(const std::string& s);
// The shortest text that reads back as exactly `f`, as a TOML float.
std::string toml_float(float f);
std::string toml_list(const std::vector<std::uint32_t>& list);

}  // namespace mmn::config
