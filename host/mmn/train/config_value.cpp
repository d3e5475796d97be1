#include "mmn/train/config_value.h"

#include <charconv>
#include <cstdlib>

#include <fmt/format.h>

#include "mmn/util/error.h"

namespace mmn::config {
namespace {

std::optional<std::int64_t> parse_int(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::int64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  const std::string t(trim(s));
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return std::nullopt;
  return v;
}


}  // namespace

const char* describe(Kind k) {
  switch (k) {
    case Kind::string: return "a string";
    case Kind::boolean: return "true or false";
    case Kind::integer: return "an integer";
    case Kind::floating: return "a number";
    case Kind::int_list: return "a list of integers";
  }
  return "?";
}

Value from_node(const toml::node& node) {
  Value v;
  switch (node.type()) {
    case toml::node_type::string:
      v.kind = Kind::string;
      v.what = "a string";
      v.text = node.as_string()->get();
      break;
    case toml::node_type::boolean:
      v.kind = Kind::boolean;
      v.what = "a boolean";
      v.boolean = node.as_boolean()->get();
      break;
    case toml::node_type::integer:
      v.kind = Kind::integer;
      v.what = "an integer";
      v.integer = node.as_integer()->get();
      break;
    case toml::node_type::floating_point:
      v.kind = Kind::floating;
      v.what = "a floating-point number";
      v.floating = node.as_floating_point()->get();
      break;
    case toml::node_type::array: {
      v.what = "an array";
      bool all_integers = true;
      for (const auto& e : *node.as_array()) {
        if (const auto* i = e.as_integer()) {
          v.list.push_back(i->get());
        } else {
          all_integers = false;
        }
      }
      if (all_integers) {
        v.kind = Kind::int_list;
      } else {
        v.what = "an array that holds more than integers";
      }
      break;
    }
    case toml::node_type::table: v.what = "a table"; break;
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time: v.what = "a date or time"; break;
    default: v.what = "an unsupported value"; break;
  }
  return v;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Value from_text(Kind kind, const std::string& raw, const std::string& key, const Where& where) {
  Value v;
  v.kind = kind;
  v.what = describe(kind);
  auto bad = [&]() -> void { fail("{} {}: must be {}, got '{}'", key, where.text, describe(kind), raw); };
  switch (kind) {
    case Kind::string: {
      std::string_view s = trim(raw);
      if (s.size() >= 2 && ((s.front() == '"' && s.back() == '"') || (s.front() == '\'' && s.back() == '\''))) {
        s = s.substr(1, s.size() - 2);
      }
      v.text = std::string(s);
      break;
    }
    case Kind::boolean: {
      const std::string_view s = trim(raw);
      if (s == "true") {
        v.boolean = true;
      } else if (s == "false") {
        v.boolean = false;
      } else {
        bad();
      }
      break;
    }
    case Kind::integer: {
      const auto i = parse_int(raw);
      if (!i) bad();
      v.integer = *i;
      break;
    }
    case Kind::floating: {
      const auto d = parse_double(raw);
      if (!d) bad();
      v.floating = *d;
      break;
    }
    case Kind::int_list: {
      std::string_view s = trim(raw);
      if (!s.empty() && s.front() == '[') {
        if (s.back() != ']') bad();
        s = trim(s.substr(1, s.size() - 2));
      }
      while (!s.empty()) {
        const std::size_t comma = s.find(',');
        const auto item = parse_int(s.substr(0, comma));
        if (!item) bad();
        v.list.push_back(*item);
        if (comma == std::string_view::npos) break;
        s = s.substr(comma + 1);
        if (trim(s).empty()) bad();  // a trailing comma
      }
      break;
    }
  }
  return v;
}

void expect_kind(const Value& v, Kind kind, const std::string& key, const Where& where) {
  if (kind == Kind::floating && v.kind == Kind::integer) return;
  if (v.kind != kind) fail("{} {}: must be {}, got {}", key, where.text, describe(kind), v.what);
}

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04X}", c);
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

std::string toml_float(float f) {
  std::string s = fmt::format("{}", f);
  const auto back = parse_double(s);
  if (!back || static_cast<float>(*back) != f) s = fmt::format("{}", static_cast<double>(f));
  if (s.find_first_of(".eEni") == std::string::npos) s += ".0";
  return s;
}

std::string toml_list(const std::vector<std::uint32_t>& list) {
  return fmt::format("[{}]", fmt::join(list, ", "));
}

}  // namespace mmn::config
