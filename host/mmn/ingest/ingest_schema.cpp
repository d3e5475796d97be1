#include "mmn/ingest/ingest_schema.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "mmn/ingest/value_parsers.h"
#include "mmn/util/error.h"

namespace mmn::ingest {

const char* role_name(Role role) {
  switch (role) {
    case Role::click:
      return "click";
    case Role::conversion:
      return "conversion";
    case Role::type:
      return "type";
    case Role::scenario:
      return "scenario";
    case Role::categorical:
      return "categorical";
    case Role::numeric:
      return "numeric";
    case Role::p_ctr:
      return "p_ctr";
    case Role::p_cvr:
      return "p_cvr";
    case Role::ignore:
      return "ignore";
  }
  return "?";
}

const char* transform_name(Transform transform) {
  switch (transform) {
    case Transform::none:
      return "none";
    case Transform::log1p:
      return "log1p";
    case Transform::signed_log1p:
      return "signed_log1p";
  }
  return "?";
}

int IngestSchema::find(Role role) const {
  for (std::size_t i = 0; i < columns.size(); ++i)
    if (columns[i].role == role) return static_cast<int>(i);
  return -1;
}

Schema IngestSchema::data_schema() const {
  Schema s;
  const int t = find(Role::type);
  const int c = find(Role::scenario);
  if (t >= 0 && columns[t].values) s.n_types = static_cast<std::uint32_t>(columns[t].values->size());
  if (c >= 0 && columns[c].values) s.n_scenarios = static_cast<std::uint32_t>(columns[c].values->size());
  for (const auto& col : columns) {
    if (col.role == Role::categorical) s.categorical.push_back({col.name, col.vocab_size});
    if (col.role == Role::numeric) s.dense.push_back(col.name);
  }
  s.has_truth = find(Role::p_ctr) >= 0;
  return s;
}

namespace {

class Parser {
 public:
  explicit Parser(std::string path) : path_(std::move(path)) {}

  IngestSchema parse(std::string_view text) {
    toml::table root;
    try {
      root = toml::parse(text, path_);
    } catch (const toml::parse_error& e) {
      fail("{}:{}:{}: not valid TOML: {}", path_, e.source().begin.line, e.source().begin.column, e.description());
    }
    IngestSchema schema;
    schema.path = path_;
    const toml::array* columns = nullptr;
    for (auto&& [key, node] : root) {
      if (key.str() == "input") {
        const toml::table* input = node.as_table();
        if (input == nullptr) fail("{}:{}: 'input' must be a table ([input])", path_, line(key));
        parse_input(*input, schema);
      } else if (key.str() == "column") {
        columns = node.as_array();
        if (columns == nullptr || !columns->is_array_of_tables())
          fail("{}:{}: 'column' must be an array of tables ([[column]])", path_, line(key));
      } else {
        fail("{}:{}: unknown key '{}' at the top level (known: input, column)", path_, line(key), key.str());
      }
    }
    if (columns == nullptr || columns->empty())
      fail("{}: no columns: declare each input column with [[column]]", path_);
    for (const auto& node : *columns) schema.columns.push_back(parse_column(*node.as_table()));
    check(schema);
    return schema;
  }

 private:
  static std::uint32_t line(const toml::key& k) { return k.source().begin.line; }
  static std::uint32_t line(const toml::node& n) { return n.source().begin.line; }

  std::string string_of(const toml::key& key, const toml::node& node) const {
    const auto* s = node.as_string();
    if (s == nullptr) fail("{}:{}: '{}' must be a string", path_, line(key), key.str());
    return s->get();
  }

  bool bool_of(const toml::key& key, const toml::node& node) const {
    const auto* b = node.as_boolean();
    if (b == nullptr) fail("{}:{}: '{}' must be true or false", path_, line(key), key.str());
    return b->get();
  }

  std::uint64_t count_of(const toml::key& key, const toml::node& node, std::uint64_t lo, std::uint64_t hi) const {
    const auto* i = node.as_integer();
    if (i == nullptr) fail("{}:{}: '{}' must be an integer", path_, line(key), key.str());
    const std::int64_t v = i->get();
    if (v < 0 || static_cast<std::uint64_t>(v) < lo || static_cast<std::uint64_t>(v) > hi)
      fail("{}:{}: '{}' is {}, must be in [{}, {}]", path_, line(key), key.str(), v, lo, hi);
    return static_cast<std::uint64_t>(v);
  }

  double number_of(const toml::key& key, const toml::node& node) const {
    if (const auto* f = node.as_floating_point()) {
      if (!std::isfinite(f->get())) fail("{}:{}: '{}' must be finite", path_, line(key), key.str());
      return f->get();
    }
    if (const auto* i = node.as_integer()) return static_cast<double>(i->get());
    fail("{}:{}: '{}' must be a number", path_, line(key), key.str());
  }

  std::vector<std::string> values_of(const toml::key& key, const toml::node& node, std::size_t max) const {
    const auto* a = node.as_array();
    if (a == nullptr) fail("{}:{}: 'values' must be an array of strings", path_, line(key));
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& v : *a) {
      const auto* s = v.as_string();
      if (s == nullptr) fail("{}:{}: 'values' must be an array of strings", path_, line(key));
      if (s->get().empty())
        fail("{}:{}: 'values' holds an empty string (an empty field is a missing value)", path_, line(key));
      if (!seen.insert(s->get()).second) fail("{}:{}: 'values' holds '{}' twice", path_, line(key), s->get());
      out.push_back(s->get());
    }
    if (out.empty()) fail("{}:{}: 'values' is empty", path_, line(key));
    if (out.size() > max)
      fail("{}:{}: 'values' holds {} values, at most {} allowed", path_, line(key), out.size(), max);
    return out;
  }

  void parse_input(const toml::table& input, IngestSchema& schema) const {
    for (auto&& [key, node] : input) {
      if (key.str() == "delimiter") {
        const std::string d = string_of(key, node);
        if (d == "tab" || d == "\t") {
          schema.delimiter = '\t';
        } else if (d.size() == 1 && d[0] != '"' && d[0] != '\n' && d[0] != '\r') {
          schema.delimiter = d[0];
        } else {
          fail(
              "{}:{}: delimiter \"{}\" must be one character other than a quote or line end (\",\", \"\\t\" or "
              "\"tab\", ...)",
              path_, line(key), d);
        }
      } else if (key.str() == "header") {
        schema.header = bool_of(key, node);
      } else if (key.str() == "quoting") {
        schema.quoting = bool_of(key, node);
      } else {
        fail("{}:{}: unknown key '{}' in [input] (known: delimiter, header, quoting)", path_, line(key), key.str());
      }
    }
  }

  static bool parse_role(const std::string& s, Role& role) {
    static const Role all[] = {Role::click,   Role::conversion, Role::type,  Role::scenario, Role::categorical,
                               Role::numeric, Role::p_ctr,      Role::p_cvr, Role::ignore};
    for (Role r : all)
      if (s == role_name(r)) {
        role = r;
        return true;
      }
    return false;
  }

  static std::vector<std::string> keys_for(Role role) {
    std::vector<std::string> keys = {"name", "role"};
    if (role == Role::categorical) keys.insert(keys.end(), {"encoding", "vocab_size", "seed", "max_size", "values"});
    if (role == Role::numeric) keys.insert(keys.end(), {"transform", "default"});
    if (role == Role::type || role == Role::scenario) keys.push_back("values");
    return keys;
  }

  // Which of the encoding keys a column's table gave.
  struct EncodingKeys {
    bool encoding = false, vocab_size = false, seed = false, max_size = false;
  };

  ColumnSpec parse_column(const toml::table& t) const {
    ColumnSpec col;
    col.line = t.source().begin.line;
    // [[column]] tables have no region of their own in toml++; use the first key's line.
    for (auto&& [key, node] : t) {
      (void)node;
      if (col.line == 0 || line(key) < col.line) col.line = line(key);
    }
    read_name_and_role(t, col);
    const EncodingKeys seen = read_keys(t, col);
    if (col.role == Role::categorical) check_encoding(col, seen);
    if (col.role == Role::numeric) check_default(col);
    return col;
  }

  void read_name_and_role(const toml::table& t, ColumnSpec& col) const {
    const toml::node* name = t.get("name");
    const toml::node* role = t.get("role");
    if (name == nullptr || name->as_string() == nullptr)
      fail("{}:{}: a [[column]] needs name = \"...\" (a string)", path_, col.line);
    col.name = name->as_string()->get();
    if (col.name.empty()) fail("{}:{}: a column's name is empty", path_, col.line);
    if (role == nullptr || role->as_string() == nullptr)
      fail(
          "{}:{}: column '{}' needs role = \"...\" (click, conversion, type, scenario, categorical, numeric, p_ctr, "
          "p_cvr or ignore)",
          path_, col.line, col.name);
    if (!parse_role(role->as_string()->get(), col.role))
      fail(
          "{}:{}: column '{}' has unknown role '{}' (known: click, conversion, type, scenario, categorical, numeric, "
          "p_ctr, p_cvr, ignore)",
          path_, line(*role), col.name, role->as_string()->get());
  }

  // Every key of the column's table into `col`; throws naming a key the role does not take.
  EncodingKeys read_keys(const toml::table& t, ColumnSpec& col) const {
    const std::vector<std::string> known = keys_for(col.role);
    EncodingKeys seen;
    for (auto&& [key, node] : t) {
      const std::string k(key.str());
      if (std::find(known.begin(), known.end(), k) == known.end()) {
        std::string list;
        for (const auto& s : known) list += (list.empty() ? "" : ", ") + s;
        fail("{}:{}: unknown key '{}' in column '{}' (role {} takes: {})", path_, line(key), k, col.name,
             role_name(col.role), list);
      }
      if (k == "encoding") {
        const std::string e = string_of(key, node);
        if (e == "hash") {
          col.encoding = Encoding::hash;
        } else if (e == "dictionary") {
          col.encoding = Encoding::dictionary;
        } else {
          fail("{}:{}: column '{}': encoding '{}' is not known (hash or dictionary)", path_, line(key), col.name, e);
        }
        seen.encoding = true;
      } else if (k == "vocab_size") {
        col.vocab_size = count_of(key, node, 2, std::uint64_t{1} << 32);
        seen.vocab_size = true;
      } else if (k == "seed") {
        col.seed = count_of(key, node, 0, std::uint64_t{INT64_MAX});
        seen.seed = true;
      } else if (k == "max_size") {
        col.max_size = count_of(key, node, 1, (std::uint64_t{1} << 32) - kFirstDictionaryId);
        seen.max_size = true;
      } else if (k == "values") {
        col.values = values_of(key, node, col.role == Role::categorical ? (std::size_t{1} << 32) - 2 : 65535);
      } else if (k == "transform") {
        const std::string tr = string_of(key, node);
        if (tr == "none") {
          col.transform = Transform::none;
        } else if (tr == "log1p") {
          col.transform = Transform::log1p;
        } else if (tr == "signed_log1p") {
          col.transform = Transform::signed_log1p;
        } else {
          fail("{}:{}: column '{}': transform '{}' is not known (none, log1p or signed_log1p)", path_, line(key),
               col.name, tr);
        }
      } else if (k == "default") {
        col.default_value = number_of(key, node);
      }
    }
    return seen;
  }

  void check_encoding(ColumnSpec& col, const EncodingKeys& seen) const {
    if (!seen.encoding)
      fail("{}:{}: categorical column '{}' needs encoding = \"hash\" or \"dictionary\"", path_, col.line, col.name);
    if (col.encoding == Encoding::hash) {
      if (!seen.vocab_size) fail("{}:{}: hashed column '{}' needs vocab_size = N (N >= 2)", path_, col.line, col.name);
      if (seen.max_size || col.values)
        fail("{}:{}: column '{}': max_size and values apply to encoding \"dictionary\"", path_, col.line, col.name);
    } else {
      if (seen.vocab_size || seen.seed)
        fail(
            "{}:{}: column '{}': vocab_size and seed apply to encoding \"hash\" (a dictionary's vocabulary is "
            "max_size + 2)",
            path_, col.line, col.name);
      if (!seen.max_size && !col.values)
        fail("{}:{}: dictionary column '{}' needs max_size = N or a fixed values = [...]", path_, col.line, col.name);
      if (!seen.max_size) col.max_size = col.values->size();
      if (col.values && col.values->size() > col.max_size)
        fail("{}:{}: column '{}' lists {} values, more than max_size {}", path_, col.line, col.name,
             col.values->size(), col.max_size);
      col.vocab_size = col.max_size + kFirstDictionaryId;
    }
  }

  void check_default(const ColumnSpec& col) const {
    const float f = static_cast<float>(apply_transform(col.transform, col.default_value));
    if (!std::isfinite(f))
      fail("{}:{}: column '{}': default {} gives no finite value under transform {}", path_, col.line, col.name,
           col.default_value, transform_name(col.transform));
  }

  void check(const IngestSchema& schema) const {
    std::set<std::string> names;
    for (const auto& col : schema.columns)
      if (!names.insert(col.name).second) fail("{}:{}: column name '{}' appears twice", path_, col.line, col.name);
    for (Role r : {Role::click, Role::conversion, Role::type, Role::scenario, Role::p_ctr, Role::p_cvr}) {
      int seen = 0;
      for (const auto& col : schema.columns)
        if (col.role == r && ++seen == 2)
          fail("{}:{}: column '{}' is a second column with role {}", path_, col.line, col.name, role_name(r));
    }
    if (schema.find(Role::click) < 0) fail("{}: no column has role \"click\"; one must", path_);
    if ((schema.find(Role::p_ctr) < 0) != (schema.find(Role::p_cvr) < 0))
      fail("{}: true probabilities need both a p_ctr and a p_cvr column, or neither", path_);
  }

  std::string path_;
};

}  // namespace

IngestSchema parse_ingest_schema(std::string_view toml_text, const std::string& path) {
  return Parser(path).parse(toml_text);
}

IngestSchema parse_ingest_schema_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    fail("{}: cannot read the schema file: {}", path,
         std::filesystem::exists(path, ec) ? "not a regular file" : "no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot read the schema file: {}", path, std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) fail("{}: cannot read the schema file", path);
  return parse_ingest_schema(ss.str(), path);
}

}  // namespace mmn::ingest
