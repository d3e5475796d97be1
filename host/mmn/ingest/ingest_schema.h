#pragma once
// The ingest schema file (TOML): how each column of a CSV/TSV input becomes part of
// an mmn data set. Parsed and checked here; nothing is read from the data.
//
//   [input]
//   delimiter = ","          # ",", "\t" or "tab" (also ";" and "|"); one character
//   header = true            # first line holds the column names, which must match
//   quoting = true           # "..." fields with "" escapes (default true)
//
//   [[column]]               # one per input column, in file order
//   name = "click"
//   role = "click"           # click | conversion | type | scenario | categorical |
//                            # numeric | p_ctr | p_cvr | ignore
//
//   role = "categorical": encoding = "hash", vocab_size = N (>= 2), seed = S (default 0)
//                         encoding = "dictionary", max_size = N, values = [...] (fixed)
//   role = "numeric":     transform = "none" | "log1p" | "signed_log1p", default = X
//   role = "type"/"scenario": values = [...] (fixed dictionary, optional)
//
// Reserved categorical ids: 0 is "missing" (empty field) for both encodings. Hashed
// values map to 1 + stable_hash64(text, seed) % (vocab_size - 1). Dictionary fields
// reserve 1 for out-of-vocabulary values (unseen in a fixed dictionary, or new once
// max_size values are known); value i of the dictionary has id 2 + i, so the field's
// vocabulary size is max_size + 2 and Dictionaries::categorical[name][id - 2] maps back.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mmn/data/schema.h"

namespace mmn::ingest {

enum class Role { click, conversion, type, scenario, categorical, numeric, p_ctr, p_cvr, ignore };
enum class Encoding { hash, dictionary };
enum class Transform { none, log1p, signed_log1p };

inline constexpr std::uint32_t kMissingId = 0;          // empty categorical field
inline constexpr std::uint32_t kOutOfVocabularyId = 1;  // dictionary encoding only
inline constexpr std::uint32_t kFirstDictionaryId = 2;  // dictionary value i has id 2 + i

const char* role_name(Role role);
const char* transform_name(Transform transform);

struct ColumnSpec {
  std::string name;
  Role role = Role::ignore;
  std::uint32_t line = 0;  // where the column is declared in the schema file
  // categorical
  Encoding encoding = Encoding::hash;
  std::uint64_t vocab_size = 0;  // hash: as given; dictionary: max_size + 2
  std::uint64_t seed = 0;        // hash
  std::uint64_t max_size = 0;    // dictionary
  // numeric
  Transform transform = Transform::none;
  double default_value = 0.0;  // raw value used for an empty field, transformed like the others
  // type, scenario, dictionary-encoded categorical: a fixed dictionary given in the schema
  std::optional<std::vector<std::string>> values;
};

struct IngestSchema {
  std::string path;  // the schema file, for messages
  char delimiter = ',';
  bool header = false;
  bool quoting = true;
  std::vector<ColumnSpec> columns;

  // Index into columns of the column with this role, or -1 (click, conversion, type,
  // scenario, p_ctr, p_cvr appear at most once).
  int find(Role role) const;
  // The data set schema the ingest writes; n_types and n_scenarios are those of the
  // fixed dictionaries when given, else 1 (raised while dictionaries grow).
  Schema data_schema() const;
};

// Throws mmn::Error "<path>:<line>: <problem>" for syntax errors, unknown keys, keys
// that do not apply to a column's role, bad values and inconsistent roles.
IngestSchema parse_ingest_schema_file(const std::string& path);
IngestSchema parse_ingest_schema(std::string_view toml_text, const std::string& path);

}  // namespace mmn::ingest
