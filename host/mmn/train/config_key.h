#pragma once
// A configuration key: its section and name, the kind of value it takes, how it checks and stores
// a value into the configuration being built, and how it writes the resolved value back; and the
// makers of the usual kinds of key.
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "mmn/train/config_value.h"
#include "mmn/train/train_config.h"
#include "mmn/util/error.h"

namespace mmn::config {


// The configuration being built; lr and eps apply to whichever optimizer is chosen in the end.
struct Pending {
  TrainConfig config;
  std::optional<float> lr, eps;
};

using Setter = std::function<void(Pending&, const Value&, const std::string& key, const Where&)>;
using Writer = std::function<std::string(const TrainConfig&)>;

struct KeySpec {
  std::string section;
  std::string name;
  Kind kind;
  Setter set;
  Writer write;
  std::string full() const { return section + "." + name; }
};

// Every key, section by section, in the order to_toml writes them.
const std::vector<KeySpec>& keys();

template <typename Field>
KeySpec string_key(const char* section, const char* name, Field field, bool allow_empty) {
  return {section, name, Kind::string,
          [field, allow_empty](Pending& p, const Value& v, const std::string& key, const Where& where) {
            expect_kind(v, Kind::string, key, where);
            if (!allow_empty && v.text.empty()) fail("{} {}: must not be empty", key, where.text);
            field(p.config) = v.text;
          },
          [field](const TrainConfig& c) { return toml_string(field(c)); }};
}

// A string key holding one of a few names: `parse` turns the name into the value (and throws
// listing the choices), `name` turns it back.
template <typename Field, typename Parse, typename Name>
KeySpec enum_key(const char* section, const char* name, Field field, Parse parse, Name to_name) {
  return {section, name, Kind::string,
          [field, parse](Pending& p, const Value& v, const std::string& key, const Where& where) {
            expect_kind(v, Kind::string, key, where);
            try {
              field(p.config) = parse(v.text);
            } catch (const Error& e) {
              fail("{} {}: {}", key, where.text, e.what());
            }
          },
          [field, to_name](const TrainConfig& c) {
            return toml_string(to_name(field(c)));
          }};
}

template <typename Field>
KeySpec bool_key(const char* section, const char* name, Field field) {
  return {section, name, Kind::boolean,
          [field](Pending& p, const Value& v, const std::string& key, const Where& where) {
            expect_kind(v, Kind::boolean, key, where);
            field(p.config) = v.boolean;
          },
          [field](const TrainConfig& c) -> std::string {
            return field(c) ? "true" : "false";
          }};
}

inline void check_range(std::int64_t v, std::int64_t lo, std::int64_t hi, const std::string& key, const Where& where) {
  if (v < lo) fail("{} {}: must be at least {}, got {}", key, where.text, lo, v);
  if (v > hi) fail("{} {}: must be at most {}, got {}", key, where.text, hi, v);
}

template <typename Field>
KeySpec int_key(const char* section, const char* name, Field field, std::int64_t lo, std::int64_t hi) {
  return {section, name, Kind::integer,
          [field, lo, hi](Pending& p, const Value& v, const std::string& key, const Where& where) {
            expect_kind(v, Kind::integer, key, where);
            check_range(v.integer, lo, hi, key, where);
            auto& f = field(p.config);
            f = static_cast<std::remove_reference_t<decltype(f)>>(v.integer);
          },
          [field](const TrainConfig& c) { return fmt::format("{}", field(c)); }};
}

template <typename Field>
KeySpec list_key(const char* section, const char* name, Field field, std::int64_t hi) {
  return {section, name, Kind::int_list,
          [field, hi](Pending& p, const Value& v, const std::string& key, const Where& where) {
            expect_kind(v, Kind::int_list, key, where);
            std::vector<std::uint32_t> out;
            for (std::size_t i = 0; i < v.list.size(); ++i) {
              const std::string item = fmt::format("{}[{}]", key, i);
              check_range(v.list[i], 1, hi, item, where);
              out.push_back(static_cast<std::uint32_t>(v.list[i]));
            }
            field(p.config) = std::move(out);
          },
          [field](const TrainConfig& c) { return toml_list(field(c)); }};
}

// Allowed interval of a floating-point key.
struct Interval {
  double lo;
  bool lo_open;
  double hi;  // infinity: no upper bound
  bool hi_open;

  bool contains(double v) const {
    if (lo_open ? !(v > lo) : !(v >= lo)) return false;
    if (std::isinf(hi)) return true;
    return hi_open ? v < hi : v <= hi;
  }
  std::string text() const {
    if (std::isinf(hi)) return lo_open ? fmt::format("greater than {}", lo) : fmt::format("at least {}", lo);
    return fmt::format("in {}{}, {}{}", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]");
  }
};

inline constexpr double kInf = std::numeric_limits<double>::infinity();
inline constexpr Interval kPositive{0.0, true, kInf, false};
inline constexpr Interval kNonNegative{0.0, false, kInf, false};
inline constexpr Interval kUnit{0.0, false, 1.0, true};

inline float checked_float(const Value& v, const Interval& in, const std::string& key, const Where& where) {
  expect_kind(v, Kind::floating, key, where);
  const double d = v.kind == Kind::integer ? static_cast<double>(v.integer) : v.floating;
  if (!std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max())
    fail("{} {}: must be a finite number, got {}", key, where.text, d);
  if (!in.contains(d)) fail("{} {}: must be {}, got {}", key, where.text, in.text(), d);
  return static_cast<float>(d);
}

template <typename Field>
KeySpec float_key(const char* section, const char* name, Field field, Interval in) {
  return {section, name, Kind::floating,
          [field, in](Pending& p, const Value& v, const std::string& key, const Where& where) {
            field(p.config) = checked_float(v, in, key, where);
          },
          [field](const TrainConfig& c) { return toml_float(field(c)); }};
}

template <typename C>
auto& chosen_lr(C& c) {
  return c.optimizer.kind == OptimizerKind::adam ? c.optimizer.adam.lr : c.optimizer.adagrad.lr;
}
template <typename C>
auto& chosen_eps(C& c) {
  return c.optimizer.kind == OptimizerKind::adam ? c.optimizer.adam.eps : c.optimizer.adagrad.eps;
}

}  // namespace mmn::config
