#include "mmn/train/train_config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "mmn/util/error.h"

namespace mmn {
namespace {

// ---------------------------------------------------------------------------------------------
// Values as read from the TOML file or from a --set override, before the key's checks.

enum class Kind { string, boolean, integer, floating, int_list };

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

// A --set value parsed for a key of kind `kind`; throws naming the key and the override.
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

// ---------------------------------------------------------------------------------------------
// The keys.

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

void expect_kind(const Value& v, Kind kind, const std::string& key, const Where& where) {
  // An integer is a fine number for a floating-point key.
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

// The shortest text that reads back as exactly `f`, as a TOML float.
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

void check_range(std::int64_t v, std::int64_t lo, std::int64_t hi, const std::string& key, const Where& where) {
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

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr Interval kPositive{0.0, true, kInf, false};
constexpr Interval kNonNegative{0.0, false, kInf, false};
constexpr Interval kUnit{0.0, false, 1.0, true};

float checked_float(const Value& v, const Interval& in, const std::string& key, const Where& where) {
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

CvrMode parse_cvr_mode(const std::string& t) {
  if (t == "ctcvr") return CvrMode::ctcvr;
  if (t == "clicked") return CvrMode::clicked;
  fail("unknown cvr_mode '{}' (choose ctcvr or clicked)", t);
}
const char* cvr_mode_name(CvrMode m) { return m == CvrMode::ctcvr ? "ctcvr" : "clicked"; }

DomainWeightNorm parse_weight_norm(const std::string& t) {
  if (t == "mean") return DomainWeightNorm::mean;
  if (t == "paper") return DomainWeightNorm::paper;
  fail("unknown dynamic_weight_norm '{}' (choose mean or paper)", t);
}
const char* weight_norm_name(DomainWeightNorm n) { return n == DomainWeightNorm::mean ? "mean" : "paper"; }

DomainCountSource parse_count_source(const std::string& t) {
  if (t == "batch") return DomainCountSource::batch;
  if (t == "data") return DomainCountSource::data;
  fail("unknown dynamic_weight_counts '{}' (choose batch or data)", t);
}
const char* count_source_name(DomainCountSource c) { return c == DomainCountSource::batch ? "batch" : "data"; }

std::string parse_device(const std::string& t) {
  if (t == "cpu" || t == "cuda" || t == "auto") return t;
  fail("unknown device '{}' (choose cpu, cuda or auto)", t);
}
std::string device_name(const std::string& d) { return d; }

std::string parse_divergence_policy(const std::string& t) {
  if (t == "stop" || t == "skip_batch") return t;
  fail("unknown divergence policy '{}' (choose stop or skip_batch)", t);
}

template <typename C>
auto& chosen_lr(C& c) {
  return c.optimizer.kind == OptimizerKind::adam ? c.optimizer.adam.lr : c.optimizer.adagrad.lr;
}
template <typename C>
auto& chosen_eps(C& c) {
  return c.optimizer.kind == OptimizerKind::adam ? c.optimizer.adam.eps : c.optimizer.adagrad.eps;
}

constexpr std::int64_t kMaxU32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t kMaxI64 = std::numeric_limits<std::int64_t>::max();

const std::vector<KeySpec>& keys() {
  using C = TrainConfig;
  static const std::vector<KeySpec> all = {
      string_key("data", "train", [](auto& c) -> auto& { return c.data.train; }, true),
      string_key("data", "test", [](auto& c) -> auto& { return c.data.test; }, true),
      string_key("data", "heldout", [](auto& c) -> auto& { return c.data.heldout; }, true),

      enum_key("model", "kind", [](auto& c) -> auto& { return c.model.kind; }, parse_model_kind,
               [](ModelKind k) { return std::string(to_string(k)); }),
      enum_key("model", "composition", [](auto& c) -> auto& { return c.model.composition; }, parse_composition,
               [](Composition k) { return std::string(to_string(k)); }),
      bool_key("model", "type_part", [](auto& c) -> auto& { return c.model.type_part; }),
      bool_key("model", "scenario_part", [](auto& c) -> auto& { return c.model.scenario_part; }),
      bool_key("model", "domain_features", [](auto& c) -> auto& { return c.model.domain_features; }),
      int_key("model", "embedding_dim", [](auto& c) -> auto& { return c.model.embedding_dim; }, 1, 4096),
      list_key("model", "ctr_hidden", [](auto& c) -> auto& { return c.model.ctr_hidden; }, 65536),
      list_key("model", "cvr_hidden", [](auto& c) -> auto& { return c.model.cvr_hidden; }, 65536),
      enum_key("model", "routing", [](auto& c) -> auto& { return c.model.routing; }, parse_routing,
               [](RoutingMode k) { return std::string(to_string(k)); }),
      float_key("model", "embedding_init_std", [](auto& c) -> auto& { return c.model.embedding_init_std; },
                kNonNegative),
      int_key("model", "min_id_count", [](auto& c) -> auto& { return c.model.min_id_count; }, 0, kMaxU32),

      enum_key("loss", "cvr_mode", [](auto& c) -> auto& { return c.loss.cvr_mode; }, parse_cvr_mode,
               [](CvrMode m) { return std::string(cvr_mode_name(m)); }),
      float_key("loss", "cvr_weight", [](auto& c) -> auto& { return c.loss.cvr_weight; }, kNonNegative),
      bool_key("loss", "dynamic_weight", [](auto& c) -> auto& { return c.loss.dynamic_weight; }),
      enum_key("loss", "dynamic_weight_norm", [](auto& c) -> auto& { return c.loss.dynamic_weight_norm; },
               parse_weight_norm, [](DomainWeightNorm n) { return std::string(weight_norm_name(n)); }),
      float_key("loss", "dynamic_weight_power", [](auto& c) -> auto& { return c.loss.dynamic_weight_power; },
                Interval{0.0, false, 1.0, false}),
      enum_key("loss", "dynamic_weight_counts", [](auto& c) -> auto& { return c.loss.dynamic_weight_counts; },
               parse_count_source, [](DomainCountSource n) { return std::string(count_source_name(n)); }),
      KeySpec{"loss", "dynamic_weight_cap", Kind::floating,
              [](Pending& p, const Value& v, const std::string& key, const Where& where) {
                const float cap = checked_float(v, kNonNegative, key, where);
                if (cap > 0 && cap < 1) fail("{} {}: must be 0 (no cap) or at least 1, got {}", key, where.text, cap);
                p.config.loss.dynamic_weight_cap = cap;
              },
              [](const C& c) { return toml_float(c.loss.dynamic_weight_cap); }},

      enum_key("optimizer", "name", [](auto& c) -> auto& { return c.optimizer.kind; }, parse_optimizer_kind,
               [](OptimizerKind k) { return std::string(to_string(k)); }),
      KeySpec{"optimizer", "lr", Kind::floating,
              [](Pending& p, const Value& v, const std::string& key, const Where& where) {
                p.lr = checked_float(v, kPositive, key, where);
              },
              [](const C& c) { return toml_float(chosen_lr(c)); }},
      float_key("optimizer", "beta1", [](auto& c) -> auto& { return c.optimizer.adam.beta1; }, kUnit),
      float_key("optimizer", "beta2", [](auto& c) -> auto& { return c.optimizer.adam.beta2; }, kUnit),
      KeySpec{"optimizer", "eps", Kind::floating,
              [](Pending& p, const Value& v, const std::string& key, const Where& where) {
                p.eps = checked_float(v, kPositive, key, where);
              },
              [](const C& c) { return toml_float(chosen_eps(c)); }},
      float_key("optimizer", "initial_accumulator",
                [](auto& c) -> auto& { return c.optimizer.adagrad.initial_accumulator; }, kNonNegative),
      float_key("optimizer", "specific_lr_scale", [](auto& c) -> auto& { return c.optimizer.specific_lr_scale; },
                kPositive),
      float_key("optimizer", "embedding_lr_scale", [](auto& c) -> auto& { return c.optimizer.embedding_lr_scale; },
                kPositive),
      float_key("optimizer", "embedding_l2", [](auto& c) -> auto& { return c.optimizer.embedding_l2; }, kNonNegative),
      float_key("optimizer", "dense_l2", [](auto& c) -> auto& { return c.optimizer.dense_l2; }, kNonNegative),
      int_key("optimizer", "warmup_steps", [](auto& c) -> auto& { return c.optimizer.warmup_steps; }, 0, kMaxI64),
      enum_key("optimizer", "decay", [](auto& c) -> auto& { return c.optimizer.decay; }, parse_lr_decay,
               [](LrDecay d) { return std::string(to_string(d)); }),
      float_key("optimizer", "final_lr_fraction", [](auto& c) -> auto& { return c.optimizer.final_lr_fraction; },
                Interval{0.0, false, 1.0, false}),

      int_key("train", "batch_size", [](auto& c) -> auto& { return c.train.batch_size; }, 1, 1 << 24),
      int_key("train", "epochs", [](auto& c) -> auto& { return c.train.epochs; }, 1, 1000000),
      int_key("train", "max_steps", [](auto& c) -> auto& { return c.train.max_steps; }, 0, kMaxI64),
      int_key("train", "seed", [](auto& c) -> auto& { return c.train.seed; }, 0, kMaxI64),
      int_key("train", "threads", [](auto& c) -> auto& { return c.train.threads; }, 0, 4096),
      enum_key("train", "device", [](auto& c) -> auto& { return c.train.device; }, parse_device, device_name),
      int_key("train", "log_every", [](auto& c) -> auto& { return c.train.log_every; }, 1, kMaxI64),
      int_key("train", "eval_every", [](auto& c) -> auto& { return c.train.eval_every; }, 0, kMaxI64),
      int_key("train", "checkpoint_every", [](auto& c) -> auto& { return c.train.checkpoint_every; }, 1,
              kMaxI64),
      int_key("train", "keep_checkpoints", [](auto& c) -> auto& { return c.train.keep_checkpoints; }, 1,
              kMaxU32),
      int_key("train", "eval_batch_size", [](auto& c) -> auto& { return c.train.eval_batch_size; }, 1,
              1 << 24),
      int_key("train", "shuffle_window", [](auto& c) -> auto& { return c.train.shuffle_window; }, 1,
              1 << 20),
      enum_key("train", "on_divergence", [](auto& c) -> auto& { return c.train.on_divergence; },
               parse_divergence_policy, [](const std::string& policy) { return policy; }),
      int_key("train", "max_skipped_batches", [](auto& c) -> auto& { return c.train.max_skipped_batches; }, 1,
              1000000),
      float_key("train", "validation_fraction", [](auto& c) -> auto& { return c.train.validation_fraction; },
                Interval{0.0, false, 0.5, false}),
      enum_key("train", "validation_metric", [](auto& c) -> auto& { return c.train.validation_metric; },
               parse_validation_metric, [](ValidationMetric m) { return std::string(to_string(m)); }),
      int_key("train", "validate_every", [](auto& c) -> auto& { return c.train.validate_every; }, 0, kMaxI64),
      int_key("train", "early_stopping_patience", [](auto& c) -> auto& { return c.train.early_stopping_patience; },
              0, 1000000),

      string_key("run", "dir", [](auto& c) -> auto& { return c.run.dir; }, false),
      bool_key("run", "plots", [](auto& c) -> auto& { return c.run.plots; }),
  };
  return all;
}

const KeySpec* find_key(const std::string& section, const std::string& name) {
  for (const auto& k : keys())
    if (k.section == section && k.name == name) return &k;
  return nullptr;
}

bool known_section(const std::string& section) {
  return std::any_of(keys().begin(), keys().end(), [&](const KeySpec& k) { return k.section == section; });
}

// Optimal string alignment distance (Levenshtein with adjacent transpositions).
std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::string closest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_distance = std::numeric_limits<std::size_t>::max();
  for (const auto& c : candidates) {
    const std::size_t dist = edit_distance(word, c);
    if (dist < best_distance) {
      best_distance = dist;
      best = c;
    }
  }
  return best;
}

std::string closest_key(const std::string& dotted) {
  std::vector<std::string> names;
  for (const auto& k : keys()) names.push_back(k.full());
  return closest(dotted, names);
}

// The closest known key when only the key's name is known (a key outside any section).
std::string closest_key_by_name(const std::string& name) {
  std::vector<std::string> names;
  for (const auto& k : keys()) names.push_back(k.name);
  const std::string best = closest(name, names);
  for (const auto& k : keys())
    if (k.name == best) return k.full();
  return {};
}

std::string closest_section(const std::string& section) {
  std::vector<std::string> sections;
  for (const auto& k : keys())
    if (std::find(sections.begin(), sections.end(), k.section) == sections.end()) sections.push_back(k.section);
  return closest(section, sections);
}

std::string at(const std::string& path, const toml::source_region& region) {
  return fmt::format("at {}:{}", path, region.begin.line);
}

void apply_file(Pending& p, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail("config file '{}' not found", path);
  if (std::filesystem::is_directory(path, ec)) fail("config file '{}' is a directory, not a file", path);
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    fail("{}:{}:{}: not valid TOML: {}", path, e.source().begin.line, e.source().begin.column, e.description());
  }
  for (auto&& [section_key, section_node] : root) {
    const std::string section(section_key.str());
    const toml::table* table = section_node.as_table();
    if (table == nullptr) {
      fail("key '{}' {} is outside any section; did you mean '{}'?", section, at(path, section_key.source()),
           closest_key_by_name(section));
    }
    if (!known_section(section)) {
      fail("unknown section '{}' {}; did you mean '{}'?", section, at(path, section_key.source()),
           closest_section(section));
    }
    for (auto&& [key, node] : *table) {
      const std::string name(key.str());
      const std::string dotted = section + "." + name;
      const KeySpec* spec = find_key(section, name);
      if (spec == nullptr)
        fail("unknown key '{}' {}; did you mean '{}'?", dotted, at(path, key.source()), closest_key(dotted));
      spec->set(p, from_node(node), dotted, Where{at(path, key.source())});
    }
  }
}

void apply_override(Pending& p, const std::string& text) {
  const Where where{fmt::format("in --set '{}'", text)};
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos) fail("override '--set {}' is not of the form section.key=value", text);
  const std::string dotted(trim(std::string_view(text).substr(0, eq)));
  const std::string value = text.substr(eq + 1);
  const std::size_t dot = dotted.find('.');
  const KeySpec* spec =
      dot == std::string::npos ? nullptr : find_key(dotted.substr(0, dot), dotted.substr(dot + 1));
  if (spec == nullptr)
    fail("unknown key '{}' {}; did you mean '{}'?", dotted, where.text, closest_key(dotted));
  spec->set(p, from_text(spec->kind, value, dotted, where), dotted, where);
}

}  // namespace

TrainConfig load_train_config(const std::string& path, const std::vector<std::string>& overrides) {
  Pending p;
  if (!path.empty()) apply_file(p, path);
  for (const auto& o : overrides) apply_override(p, o);
  if (p.lr) chosen_lr(p.config) = *p.lr;
  if (p.eps) chosen_eps(p.config) = *p.eps;
  if (p.config.data.train.empty()) {
    fail("data.train is not set{}: give the training data directory in [data] train = \"DIR\" or with "
         "--set data.train=DIR",
         path.empty() ? std::string() : fmt::format(" in {}", path));
  }
  return p.config;
}

std::string to_toml(const TrainConfig& config) {
  std::string out = "# mmn train configuration: every key with its resolved value\n";
  std::string section;
  for (const auto& k : keys()) {
    if (k.section != section) {
      if (!section.empty()) out += "\n";
      section = k.section;
      out += fmt::format("[{}]\n", section);
    }
    out += fmt::format("{} = {}\n", k.name, k.write(config));
  }
  return out;
}

}  // namespace mmn
