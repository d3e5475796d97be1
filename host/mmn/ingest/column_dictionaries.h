#pragma once
// The dictionaries of an ingest's type, scenario and dictionary-encoded categorical
// columns: fixed when --dictionaries-from names a data set or the schema lists
// values, else growing (types and scenarios up to 65535 values, categorical fields up
// to max_size).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mmn/ingest/dictionary.h"
#include "mmn/ingest/ingest_schema.h"

namespace mmn::ingest {

inline constexpr std::uint32_t kMaxDomainValues = 65535;  // types and scenarios are 16-bit ids

// One entry per schema column, null for columns without a dictionary. `from` is a
// data set directory or empty; its dictionaries must agree with the schema (values
// given in both, vocabulary sizes, type and scenario columns), else mmn::Error.
std::vector<std::unique_ptr<Dictionary>> make_dictionaries(const IngestSchema& schema, const std::string& from);

}  // namespace mmn::ingest
