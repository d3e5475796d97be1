#include "mmn/data/shard_reader.h"

#include <cstring>

#include "mmn/data/binary_codec.h"
#include "mmn/data/shard_format.h"
#include "mmn/util/checksum.h"
#include "mmn/util/error.h"

namespace mmn {

using namespace shard;

namespace {

template <typename T>
const T* typed(const std::uint8_t* base, std::uint64_t offset) {
  return reinterpret_cast<const T*>(base + offset);
}

}  // namespace

ShardReader::ShardReader(const std::string& path) : file_(path) {
  const std::uint64_t size = file_.size();
  const std::uint8_t* data = file_.data();
  if (size < sizeof(FileHeader)) {
    if (size >= sizeof kMagic && std::memcmp(data, kMagic, sizeof kMagic) != 0)
      fail("{}: not an mmn shard (wrong magic number)", path);
    fail("{}: truncated: {} bytes, shorter than the {}-byte shard header", path, size, sizeof(FileHeader));
  }
  FileHeader h;
  std::memcpy(&h, data, sizeof h);
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) fail("{}: not an mmn shard (wrong magic number)", path);
  if (checksum64(&h, kHeaderChecksummedBytes) != h.header_checksum)
    fail("{}: corrupt header (header checksum mismatch)", path);
  if (h.version > kVersion)
    fail("{}: shard format version {} is newer than this build of mmn reads (up to {}); upgrade mmn", path,
         h.version, kVersion);
  if (h.version == 0) fail("{}: corrupt header (format version 0)", path);
  if (h.file_bytes != size)
    fail("{}: {}: header says {} bytes, the file has {}", path, size < h.file_bytes ? "truncated" : "wrong size",
         h.file_bytes, size);
  if (h.metadata_bytes > kMaxMetadataBytes || sizeof(FileHeader) + h.metadata_bytes > size)
    fail("{}: corrupt header (metadata of {} bytes does not fit the file)", path, h.metadata_bytes);
  const std::uint8_t* meta = data + sizeof(FileHeader);
  if (checksum64(meta, h.metadata_bytes) != h.metadata_checksum)
    fail("{}: corrupt metadata (metadata checksum mismatch)", path);
  if (h.rows_per_group == 0) fail("{}: corrupt header (0 rows per group)", path);

  ByteDecoder in(meta, h.metadata_bytes, path + ": metadata");
  schema_ = decode_schema(in);
  schema_.validate(path);
  rows_ = h.row_count;
  rows_per_group_ = h.rows_per_group;
  const std::uint64_t groups = (rows_ + rows_per_group_ - 1) / rows_per_group_;
  if (groups > 0xffffffffull) fail("{}: corrupt header ({} row groups)", path, groups);
  row_groups_ = static_cast<std::uint32_t>(groups);

  specs_ = columns_of(schema_);
  if (h.column_count != specs_.size())
    fail("{}: corrupt metadata: {} columns, the schema implies {}", path, h.column_count, specs_.size());
  std::uint64_t previous_end = sizeof(FileHeader) + h.metadata_bytes;
  std::vector<std::uint64_t> offsets;
  for (const auto& spec : specs_) {
    ColumnEntry e;
    in.raw(&e, sizeof e, "column table");
    if (e.role != spec.role || e.field != spec.field || e.elem_type != spec.elem_type)
      fail("{}: corrupt metadata: column '{}' has an unexpected role or type", path, spec.name);
    const std::uint64_t expected = rows_ * elem_bytes(spec.elem_type);
    if (e.bytes != expected || e.offset % kAlignment != 0 || e.offset < previous_end || e.offset > size ||
        e.bytes > size - e.offset)
      fail("{}: corrupt metadata: column '{}' at offset {} with {} bytes does not fit ({} rows, file of {} bytes)",
           path, spec.name, e.offset, e.bytes, rows_, size);
    previous_end = e.offset + e.bytes;
    offsets.push_back(e.offset);
  }
  checksums_.resize(specs_.size() * row_groups_);
  for (auto& c : checksums_) c = in.u64("column checksums");
  if (in.position() != h.metadata_bytes) fail("{}: corrupt metadata: {} unexpected trailing bytes", path,
                                               h.metadata_bytes - in.position());

  columns_.rows = rows_;
  for (std::size_t c = 0; c < specs_.size(); ++c) {
    const auto o = offsets[c];
    switch (specs_[c].role) {
      case Role::click: columns_.click = typed<std::uint8_t>(data, o); break;
      case Role::conv: columns_.conv = typed<std::uint8_t>(data, o); break;
      case Role::type: columns_.type = typed<std::uint16_t>(data, o); break;
      case Role::scenario: columns_.scenario = typed<std::uint16_t>(data, o); break;
      case Role::categorical: columns_.categorical.push_back(typed<std::uint32_t>(data, o)); break;
      case Role::dense: columns_.dense.push_back(typed<float>(data, o)); break;
      case Role::p_ctr: columns_.p_ctr = typed<float>(data, o); break;
      case Role::p_cvr: columns_.p_cvr = typed<float>(data, o); break;
    }
  }
}

RowRange ShardReader::group_rows(std::uint32_t group) const {
  const std::uint64_t begin = std::uint64_t{group} * rows_per_group_;
  const std::uint64_t end = begin + rows_per_group_ < rows_ ? begin + rows_per_group_ : rows_;
  return {begin, end};
}

void ShardReader::verify_checksums(std::uint32_t group) const {
  if (group >= row_groups_) fail("{}: row group {} does not exist ({} groups)", path(), group, row_groups_);
  const RowRange r = group_rows(group);
  for (std::size_t c = 0; c < specs_.size(); ++c) {
    const std::size_t eb = elem_bytes(specs_[c].elem_type);
    const auto* base = static_cast<const std::uint8_t*>(column_data(columns_, specs_[c]));
    if (checksum64(base + r.begin * eb, r.size() * eb) != checksums_[c * row_groups_ + group])
      fail("{}: column '{}' is corrupt in row group {} (rows {}..{}): checksum mismatch", path(), specs_[c].name,
           group, r.begin, r.end - 1);
  }
}

void ShardReader::validate_values(std::uint32_t group) const {
  const RowRange r = group_rows(group);
  validate_rows(schema_, columns_.slice(r.begin, r.end), path(), r.begin);
}

}  // namespace mmn
