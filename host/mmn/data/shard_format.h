#pragma once
// The on-disk layout of one shard file (.mmns), format version 1. Little-endian.
//
//   [0, 64)            FileHeader
//   [64, 64 + M)       metadata, M = FileHeader::metadata_bytes:
//                        schema:  u32 n_types, u32 n_scenarios, u32 n_categorical, u32 n_dense, u32 has_truth,
//                                 per categorical field (str name, u64 vocab_size), per dense field (str name)
//                                 where str = u32 length + bytes
//                        columns: per column u32 role, u32 field, u32 elem_type, u32 zero, u64 offset, u64 bytes
//                        checksums: per column, per row group, u64 XXH3-64 of that column's rows in the group
//   then each column's values for all rows, contiguous, starting on a 64-byte boundary.
//
// Row groups are consecutive runs of rows_per_group rows (the last may be shorter):
// threads and ranks split the work by row group and verify only what they read.
// Column order: click, conv, type, scenario, categorical[0..F), dense[0..D), then p_ctr, p_cvr
// when the schema has truth.
#include <cstddef>
#include <cstdint>

namespace mmn::shard {

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "mmn's shard format is little-endian and this build reads it in place: a big-endian host is not supported"
#endif

inline constexpr char kMagic[8] = {'M', 'M', 'N', 'S', 'H', 'A', 'R', 'D'};
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::uint64_t kAlignment = 64;
inline constexpr std::uint32_t kMaxMetadataBytes = 64u << 20;
inline constexpr const char* kFileSuffix = ".mmns";

enum class Role : std::uint32_t { click = 1, conv = 2, type = 3, scenario = 4, categorical = 5, dense = 6, p_ctr = 7, p_cvr = 8 };
enum class ElemType : std::uint32_t { u8 = 1, u16 = 2, u32 = 3, f32 = 4 };

inline std::size_t elem_bytes(ElemType t) {
  switch (t) {
    case ElemType::u8: return 1;
    case ElemType::u16: return 2;
    case ElemType::u32: return 4;
    case ElemType::f32: return 4;
  }
  return 0;
}

struct FileHeader {
  char magic[8];
  std::uint32_t version;
  std::uint32_t metadata_bytes;
  std::uint64_t row_count;
  std::uint64_t file_bytes;
  std::uint32_t rows_per_group;
  std::uint32_t column_count;
  std::uint64_t metadata_checksum;
  std::uint64_t reserved;
  std::uint64_t header_checksum;  // XXH3-64 of bytes [0, 56)
};
static_assert(sizeof(FileHeader) == 64, "the shard header is 64 bytes");
inline constexpr std::size_t kHeaderChecksummedBytes = 56;

struct ColumnEntry {
  Role role;
  std::uint32_t field;  // index within its role (categorical and dense), else 0
  ElemType elem_type;
  std::uint32_t zero;
  std::uint64_t offset;
  std::uint64_t bytes;
};
static_assert(sizeof(ColumnEntry) == 32, "a column entry is 32 bytes");

inline std::uint64_t align_up(std::uint64_t x) { return (x + kAlignment - 1) / kAlignment * kAlignment; }

}  // namespace mmn::shard
