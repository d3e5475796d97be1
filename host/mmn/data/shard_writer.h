#pragma once
#include <cstdint>
#include <string>

#include "mmn/data/column_view.h"
#include "mmn/data/schema.h"

namespace mmn {

inline constexpr std::uint32_t kDefaultRowsPerGroup = 65536;

// Validates `rows` against `schema` and writes them as one shard file at `path`
// (which must not exist), fsynced. On failure the partial file is removed.
void write_shard(const std::string& path, const Schema& schema, const ColumnView& rows,
                 std::uint32_t rows_per_group = kDefaultRowsPerGroup);

}  // namespace mmn
