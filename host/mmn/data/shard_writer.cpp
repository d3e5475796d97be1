#include "mmn/data/shard_writer.h"

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "mmn/data/binary_codec.h"
#include "mmn/data/shard_format.h"
#include "mmn/data/shard_layout.h"
#include "mmn/util/checksum.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"

namespace mmn {

void write_shard(const std::string& path, const Schema& schema, const ColumnView& rows,
                 std::uint32_t rows_per_group) {
  using namespace shard;
  schema.validate(path);
  if (rows_per_group == 0) fail("{}: rows per group must be at least 1", path);
  validate_rows(schema, rows, path);

  const auto specs = columns_of(schema);
  const std::uint64_t n = rows.rows;
  const std::uint64_t groups = (n + rows_per_group - 1) / rows_per_group;
  const std::size_t metadata_fixed = encoded_schema_bytes(schema) + specs.size() * sizeof(ColumnEntry);
  const std::uint64_t metadata_bytes = metadata_fixed + specs.size() * groups * sizeof(std::uint64_t);
  if (metadata_bytes > kMaxMetadataBytes)
    fail("{}: {} rows in groups of {} need {} bytes of metadata, over the limit {}; use larger row groups", path,
         n, rows_per_group, metadata_bytes, kMaxMetadataBytes);

  std::vector<ColumnEntry> entries;
  std::uint64_t offset = align_up(sizeof(FileHeader) + metadata_bytes);
  for (const auto& s : specs) {
    const std::uint64_t bytes = n * elem_bytes(s.elem_type);
    entries.push_back({s.role, s.field, s.elem_type, 0, offset, bytes});
    offset = align_up(offset + bytes);
  }
  const std::uint64_t file_bytes = offset;

  ByteEncoder meta;
  encode_schema(meta, schema);
  for (const auto& e : entries) meta.raw(&e, sizeof e);
  for (std::size_t c = 0; c < specs.size(); ++c) {
    const auto* base = static_cast<const std::uint8_t*>(column_data(rows, specs[c]));
    const std::size_t eb = elem_bytes(specs[c].elem_type);
    for (std::uint64_t g = 0; g < groups; ++g) {
      const std::uint64_t begin = g * rows_per_group;
      const std::uint64_t end = begin + rows_per_group < n ? begin + rows_per_group : n;
      meta.u64(checksum64(base + begin * eb, (end - begin) * eb));
    }
  }

  FileHeader h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.version = kVersion;
  h.metadata_bytes = static_cast<std::uint32_t>(meta.bytes().size());
  h.row_count = n;
  h.file_bytes = file_bytes;
  h.rows_per_group = rows_per_group;
  h.column_count = static_cast<std::uint32_t>(specs.size());
  h.metadata_checksum = checksum64(meta.bytes().data(), meta.bytes().size());
  h.header_checksum = checksum64(&h, kHeaderChecksummedBytes);

  try {
    FileWriter out(path);
    out.write(&h, sizeof h);
    out.write(meta.bytes().data(), meta.bytes().size());
    for (std::size_t c = 0; c < specs.size(); ++c) {
      out.write_zeros(entries[c].offset - out.written());
      out.write(column_data(rows, specs[c]), entries[c].bytes);
    }
    out.write_zeros(file_bytes - out.written());
    out.finish();
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(path, ignored);
    throw;
  }
}

}  // namespace mmn
