#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "mmn/data/shard_format.h"
#include "mmn/data/shard_reader.h"
#include "mmn/data/shard_writer.h"
#include "mmn/util/checksum.h"
#include "mmn/util/error.h"
#include "testing/random_block.h"
#include "testing/temp_dir.h"
#include "testing/error_of.h"

namespace mmn {
namespace {

using testing::random_block;
using testing::small_schema;
using testing::TempDir;

std::vector<char> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

using mmn::testing::error_of;

void verify_all(const ShardReader& r) {
  for (std::uint32_t g = 0; g < r.row_groups(); ++g) r.verify(g);
}

TEST(Shard, RoundTripKeepsEveryValueAndRowGroups) {
  TempDir tmp;
  const Schema schema = small_schema();
  const ColumnBlock block = random_block(schema, 1000, 1);
  write_shard(tmp / "a.mmns", schema, view_of(block), 300);
  ShardReader r(tmp / "a.mmns");
  EXPECT_EQ(r.schema(), schema);
  EXPECT_EQ(r.rows(), 1000u);
  EXPECT_EQ(r.row_groups(), 4u);
  EXPECT_EQ(r.group_rows(3).begin, 900u);
  EXPECT_EQ(r.group_rows(3).end, 1000u);
  verify_all(r);
  const ColumnView& v = r.columns();
  for (std::size_t i = 0; i < 1000; ++i) {
    ASSERT_EQ(v.click[i], block.click[i]);
    ASSERT_EQ(v.conv[i], block.conv[i]);
    ASSERT_EQ(v.type[i], block.type[i]);
    ASSERT_EQ(v.scenario[i], block.scenario[i]);
    for (std::size_t f = 0; f < 3; ++f) ASSERT_EQ(v.categorical[f][i], block.categorical[f][i]);
    for (std::size_t f = 0; f < 2; ++f) ASSERT_EQ(v.dense[f][i], block.dense[f][i]);
    ASSERT_EQ(v.p_ctr[i], block.p_ctr[i]);
    ASSERT_EQ(v.p_cvr[i], block.p_cvr[i]);
  }
}

TEST(Shard, EmptyShardAndNoTruthRoundTrip) {
  TempDir tmp;
  const Schema schema = small_schema(false);
  write_shard(tmp / "e.mmns", schema, view_of(ColumnBlock(schema, 0)));
  ShardReader r(tmp / "e.mmns");
  EXPECT_EQ(r.rows(), 0u);
  EXPECT_EQ(r.row_groups(), 0u);
  EXPECT_EQ(r.columns().p_ctr, nullptr);
  EXPECT_FALSE(r.schema().has_truth);
}

TEST(Shard, ColumnsStartOnAlignedOffsets) {
  TempDir tmp;
  const Schema schema = small_schema();
  write_shard(tmp / "a.mmns", schema, view_of(random_block(schema, 33, 2)));
  ShardReader r(tmp / "a.mmns");
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(r.columns().categorical[2]) % 64, 0u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(r.columns().p_cvr) % 64, 0u);
}

TEST(Shard, FlippedDataByteIsCaughtNamingColumnAndRowGroup) {
  TempDir tmp;
  const Schema schema = small_schema();
  const ColumnBlock block = random_block(schema, 1000, 3);
  const std::string path = tmp / "a.mmns";
  write_shard(path, schema, view_of(block), 256);
  std::vector<char> bytes = read_bytes(path);
  // Row 600 of the 'item' column (categorical field 1): its distance from the click column
  // in the map equals its distance in the file, and the click column starts the data.
  std::size_t offset;
  {
    ShardReader clean(path);
    const auto* base = reinterpret_cast<const char*>(clean.columns().click);
    const auto* target = reinterpret_cast<const char*>(clean.columns().categorical[1] + 600);
    shard::FileHeader h;
    std::memcpy(&h, bytes.data(), sizeof h);
    offset = shard::align_up(sizeof h + h.metadata_bytes) + static_cast<std::size_t>(target - base);
  }
  bytes[offset] ^= 0x10;
  write_bytes(path, bytes);
  ShardReader r(path);  // structure is intact
  r.verify(0);
  r.verify(1);
  const std::string msg = error_of([&] { r.verify(2); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("column 'item'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("row group 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("checksum mismatch"), std::string::npos) << msg;
}

TEST(Shard, FlippedMetadataByteIsCaught) {
  TempDir tmp;
  const Schema schema = small_schema();
  const std::string path = tmp / "a.mmns";
  write_shard(path, schema, view_of(random_block(schema, 10, 4)));
  std::vector<char> bytes = read_bytes(path);
  bytes[sizeof(shard::FileHeader) + 5] ^= 1;
  write_bytes(path, bytes);
  const std::string msg = error_of([&] { ShardReader r(path); });
  EXPECT_NE(msg.find(path + ": corrupt metadata"), std::string::npos) << msg;
}

TEST(Shard, FlippedHeaderByteIsCaught) {
  TempDir tmp;
  const Schema schema = small_schema();
  const std::string path = tmp / "a.mmns";
  write_shard(path, schema, view_of(random_block(schema, 10, 4)));
  std::vector<char> bytes = read_bytes(path);
  bytes[17] ^= 1;  // inside row_count
  write_bytes(path, bytes);
  const std::string msg = error_of([&] { ShardReader r(path); });
  EXPECT_NE(msg.find(path + ": corrupt header"), std::string::npos) << msg;
}

TEST(Shard, TruncatedFileIsCaughtAtEveryLength) {
  TempDir tmp;
  const Schema schema = small_schema();
  const std::string path = tmp / "a.mmns";
  write_shard(path, schema, view_of(random_block(schema, 100, 5)));
  const std::vector<char> bytes = read_bytes(path);
  for (std::size_t len : {std::size_t{0}, std::size_t{7}, std::size_t{63}, std::size_t{64}, std::size_t{200},
                          bytes.size() / 2, bytes.size() - 1}) {
    write_bytes(path, std::vector<char>(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(len)));
    const std::string msg = error_of([&] { ShardReader r(path); });
    EXPECT_NE(msg.find(path + ": truncated"), std::string::npos) << "length " << len << ": " << msg;
  }
}

TEST(Shard, ForeignFileIsCaughtAsWrongMagic) {
  TempDir tmp;
  const std::string path = tmp / "foreign.mmns";
  std::string text = "click,conv,type\n";
  text.resize(4096, 'x');
  write_bytes(path, std::vector<char>(text.begin(), text.end()));
  const std::string msg = error_of([&] { ShardReader r(path); });
  EXPECT_NE(msg.find(path + ": not an mmn shard (wrong magic number)"), std::string::npos) << msg;
}

TEST(Shard, NewerVersionIsCaughtAsNewer) {
  TempDir tmp;
  const Schema schema = small_schema();
  const std::string path = tmp / "a.mmns";
  write_shard(path, schema, view_of(random_block(schema, 10, 6)));
  std::vector<char> bytes = read_bytes(path);
  shard::FileHeader h;
  std::memcpy(&h, bytes.data(), sizeof h);
  h.version = shard::kVersion + 1;
  h.header_checksum = checksum64(&h, shard::kHeaderChecksummedBytes);
  std::memcpy(bytes.data(), &h, sizeof h);
  write_bytes(path, bytes);
  const std::string msg = error_of([&] { ShardReader r(path); });
  EXPECT_NE(msg.find("format version 2 is newer than this build of mmn reads (up to 1)"), std::string::npos) << msg;
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
}

TEST(Shard, MissingFileIsNamed) {
  const std::string msg = error_of([] { ShardReader r("/nonexistent/x.mmns"); });
  EXPECT_NE(msg.find("/nonexistent/x.mmns: cannot open"), std::string::npos) << msg;
}

TEST(Shard, WriterRefusesRowsThatBreakTheSchemaAndLeavesNoFile) {
  TempDir tmp;
  const Schema schema = small_schema();
  struct Case {
    const char* expect;
    void (*spoil)(ColumnBlock&);
  };
  const Case cases[] = {
      {"click label is 2", [](ColumnBlock& b) { b.click[5] = 2; }},
      {"conversion is 1 but click is 0", [](ColumnBlock& b) { b.click[5] = 0, b.conv[5] = 1; }},
      {"type id 3 is not below the number of types 3", [](ColumnBlock& b) { b.type[5] = 3; }},
      {"scenario id 9", [](ColumnBlock& b) { b.scenario[5] = 9; }},
      {"categorical field 'item' has id 7", [](ColumnBlock& b) { b.categorical[1][5] = 7; }},
      {"dense field 'age' is nan", [](ColumnBlock& b) { b.dense[1][5] = std::nanf(""); }},
      {"p_cvr is 1.5", [](ColumnBlock& b) { b.p_cvr[5] = 1.5f; }},
  };
  for (const auto& c : cases) {
    ColumnBlock b = random_block(schema, 10, 7);
    c.spoil(b);
    const std::string msg = error_of([&] { write_shard(tmp / "bad.mmns", schema, view_of(b)); });
    EXPECT_NE(msg.find("row 5: "), std::string::npos) << msg;
    EXPECT_NE(msg.find(c.expect), std::string::npos) << msg;
    EXPECT_FALSE(std::filesystem::exists(tmp / "bad.mmns"));
  }
}

TEST(Shard, ValueOutOfRangeWithValidChecksumsIsCaughtOnRead) {
  // A file whose checksums were recomputed after an id went out of range is still refused.
  TempDir tmp;
  Schema wide = small_schema();
  wide.categorical[1].vocab_size = 100;
  ColumnBlock b = random_block(small_schema(), 10, 8);
  b.categorical[1][4] = 50;
  const std::string path = tmp / "a.mmns";
  write_shard(path, wide, view_of(b));
  // Rewrite the schema's vocabulary in place: metadata checksum recomputed, data checksums intact.
  std::vector<char> bytes = read_bytes(path);
  shard::FileHeader h;
  std::memcpy(&h, bytes.data(), sizeof h);
  const std::string needle = "item";
  auto* meta = bytes.data() + sizeof h;
  auto* at = std::search(meta, meta + h.metadata_bytes, needle.begin(), needle.end());
  std::uint64_t seven = 7;
  std::memcpy(at + needle.size(), &seven, sizeof seven);
  h.metadata_checksum = checksum64(meta, h.metadata_bytes);
  h.header_checksum = checksum64(&h, shard::kHeaderChecksummedBytes);
  std::memcpy(bytes.data(), &h, sizeof h);
  write_bytes(path, bytes);
  ShardReader r(path);
  r.verify_checksums(0);
  const std::string msg = error_of([&] { r.validate_values(0); });
  EXPECT_NE(msg.find("row 4: categorical field 'item' has id 50, not below its vocabulary size 7"), std::string::npos)
      << msg;
}

}  // namespace
}  // namespace mmn

namespace mmn {
namespace {

// Any single flipped byte anywhere in a shard is either reported as an mmn::Error when the
// file is opened or verified, or (only in padding bytes, which no checksum covers) harmless.
TEST(Shard, EverySingleByteFlipIsReportedOrHarmless) {
  testing::TempDir tmp;
  const Schema schema = testing::small_schema();
  const ColumnBlock block = testing::random_block(schema, 40, 31);
  const std::string path = tmp / "a.mmns";
  write_shard(path, schema, view_of(block), 16);
  const std::vector<char> clean = read_bytes(path);
  std::size_t reported = 0;
  for (std::size_t at = 0; at < clean.size(); ++at) {
    std::vector<char> bytes = clean;
    bytes[at] = static_cast<char>(bytes[at] ^ (1 << (at % 8)));
    write_bytes(path, bytes);
    try {
      ShardReader r(path);
      verify_all(r);
      // Not reported: the data the reader sees must be exactly the original.
      for (std::size_t i = 0; i < block.rows(); ++i) {
        ASSERT_EQ(r.columns().type[i], block.type[i]) << "flip at byte " << at;
        ASSERT_EQ(r.columns().categorical[2][i], block.categorical[2][i]) << "flip at byte " << at;
        ASSERT_EQ(r.columns().p_cvr[i], block.p_cvr[i]) << "flip at byte " << at;
      }
    } catch (const Error& e) {
      ++reported;
      ASSERT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(reported, clean.size() / 2);
}

}  // namespace
}  // namespace mmn
