#pragma once
// Opens one shard file read-only through a memory map. Construction checks the
// header, the metadata and the column layout against the file's real size, so a
// truncated, corrupt, foreign or newer-version file is an mmn::Error naming the
// file and the problem. Column values are verified per row group on request.
#include <cstdint>
#include <string>
#include <vector>

#include "mmn/data/column_view.h"
#include "mmn/data/schema.h"
#include "mmn/data/shard_layout.h"
#include "mmn/util/mapped_file.h"

namespace mmn {

struct RowRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::uint64_t size() const { return end - begin; }
};

class ShardReader {
 public:
  explicit ShardReader(const std::string& path);

  const std::string& path() const { return file_.path(); }
  const Schema& schema() const { return schema_; }
  std::uint64_t rows() const { return rows_; }
  std::uint64_t file_bytes() const { return file_.size(); }
  std::uint32_t rows_per_group() const { return rows_per_group_; }
  std::uint32_t row_groups() const { return row_groups_; }
  RowRange group_rows(std::uint32_t group) const;

  // Every column's checksum for the group; throws naming the column and rows.
  void verify_checksums(std::uint32_t group) const;
  // Labels, ids and values of the group against the schema (see validate_rows).
  void validate_values(std::uint32_t group) const;
  void verify(std::uint32_t group) const {
    verify_checksums(group);
    validate_values(group);
  }

  // All rows, pointing into the map: valid while this reader lives.
  const ColumnView& columns() const { return columns_; }

 private:
  MappedFile file_;
  Schema schema_;
  std::uint64_t rows_ = 0;
  std::uint32_t rows_per_group_ = 0;
  std::uint32_t row_groups_ = 0;
  std::vector<shard::ColumnSpec> specs_;
  std::vector<std::uint64_t> checksums_;  // [column * row_groups + group]
  ColumnView columns_;
};

}  // namespace mmn
