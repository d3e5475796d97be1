#include "mmn/ingest/column_dictionaries.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "mmn/data/dataset.h"
#include "mmn/util/error.h"

namespace mmn::ingest {

namespace {

void check_same_values(const ColumnSpec& col, const std::vector<std::string>& from, const std::string& where,
                       const std::string& schema_path) {
  if (col.values && *col.values != from)
    fail("column '{}' ({}): the values in the schema {} differ from the dictionary of {}", col.name,
         role_name(col.role), schema_path, where);
}

}  // namespace

std::vector<std::unique_ptr<Dictionary>> make_dictionaries(const IngestSchema& schema, const std::string& from) {
  std::optional<Dataset> source;
  if (!from.empty()) source = Dataset::open(from, Verify::structure);
  std::vector<std::unique_ptr<Dictionary>> dicts(schema.columns.size());
  const std::string from_where = from.empty() ? "" : fmt::format("--dictionaries-from {}", from);
  for (std::size_t i = 0; i < schema.columns.size(); ++i) {
    const ColumnSpec& col = schema.columns[i];
    std::optional<std::vector<std::string>> values = col.values;
    if (source && (col.role == Role::type || col.role == Role::scenario)) {
      const auto& v = col.role == Role::type ? source->dictionaries().types : source->dictionaries().scenarios;
      check_same_values(col, v, from_where, schema.path);
      values = v;
    }
    if (col.role == Role::categorical) {
      const auto& fields = source ? source->schema().categorical : std::vector<CategoricalField>{};
      const auto field = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.name == col.name; });
      if (field != fields.end() && field->vocab_size != col.vocab_size)
        fail("column '{}': vocabulary size {} in the schema {}, but {} in {}", col.name, col.vocab_size, schema.path,
             field->vocab_size, from_where);
      if (source && col.encoding == Encoding::dictionary) {
        const auto it = source->dictionaries().categorical.find(col.name);
        if (it == source->dictionaries().categorical.end())
          fail("column '{}' is dictionary-encoded, but {} has no dictionary for it", col.name, from_where);
        if (it->second.size() > col.max_size)
          fail("column '{}': {} holds {} values, more than max_size {} in the schema {}", col.name, from_where,
               it->second.size(), col.max_size, schema.path);
        check_same_values(col, it->second, from_where, schema.path);
        values = it->second;
      }
    }
    const bool domain = col.role == Role::type || col.role == Role::scenario;
    const bool dictionary = col.role == Role::categorical && col.encoding == Encoding::dictionary;
    if (!domain && !dictionary) continue;
    if (values)
      dicts[i] = std::make_unique<Dictionary>(Dictionary::fixed_to(*values));
    else
      dicts[i] = std::make_unique<Dictionary>(domain ? kMaxDomainValues : col.max_size);
  }
  if (source) {
    for (Role r : {Role::type, Role::scenario}) {
      const auto& v = r == Role::type ? source->dictionaries().types : source->dictionaries().scenarios;
      if (schema.find(r) < 0 && v != std::vector<std::string>{"all"})
        fail("the schema {} has no {} column, but {} has {} {}s", schema.path, role_name(r), from_where, v.size(),
             role_name(r));
    }
  }
  return dicts;
}

}  // namespace mmn::ingest
