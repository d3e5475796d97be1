// Input files: plain, gzip and zstd, cut into chunks that cross decompressed pieces.
#include "mmn/ingest/input_files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "host/ingest/compression_util.h"
#include "host/ingest/ingest_test_util.h"
#include "mmn/ingest/ingester.h"
#include "mmn/util/thread_pool.h"
#include "testing/temp_dir.h"

namespace mmn::ingest {
namespace {

namespace fs = std::filesystem;
using testing::error_of;
using testing::gzip_bytes;
using testing::read_all;
using testing::same_rows;
using testing::write_file;
using testing::zstd_bytes;

constexpr const char* kSchema = R"(
[input]
delimiter = ","
header = true
[[column]]
name = "click"
role = "click"
[[column]]
name = "type"
role = "type"
[[column]]
name = "x"
role = "numeric"
[[column]]
name = "item"
role = "categorical"
encoding = "dictionary"
max_size = 1000
)";
constexpr const char* kHeader = "click,type,x,item\n";

std::string rows(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += fmt::format("{},t{},{},i{}\n", rng() % 2, rng() % 3, i, rng() % 700);
  return s;
}

ColumnBlock ingest_rows(const std::vector<std::string>& inputs, const std::string& out, std::size_t threads,
                        std::size_t chunk_bytes, Dictionaries* dictionaries = nullptr) {
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  ThreadPool pool(threads);
  IngestConfig config;
  config.out_dir = out;
  config.pool = &pool;
  config.chunk_bytes = chunk_bytes;
  config.chunks_per_batch = 3;
  const IngestReport report = ingest(schema, inputs, config);
  const Dataset ds = Dataset::open(out);
  if (dictionaries != nullptr) *dictionaries = ds.dictionaries();
  return read_all(ds);
}

TEST(InputFiles, CompressedFilesIngestToTheSameRowsAsPlainOnes) {
  mmn::testing::TempDir tmp;
  const std::string a = std::string(kHeader) + rows(20000, 1), b = std::string(kHeader) + rows(15000, 2);
  write_file(tmp / "a.csv", a);
  write_file(tmp / "b.csv", b);
  write_file(tmp / "a.csv.gz", gzip_bytes(a));
  write_file(tmp / "b.csv.zst", zstd_bytes(b));
  // Content decides, not the name: a gzip file named .csv reads as gzip.
  write_file(tmp / "b-gzip-named.csv", gzip_bytes(b));
  Dictionaries plain_dictionaries;
  const ColumnBlock plain = ingest_rows({tmp / "a.csv", tmp / "b.csv"}, tmp / "plain", 2, 1 << 20, &plain_dictionaries);
  ASSERT_EQ(plain.rows(), 35000u);
  int k = 0;
  for (const std::size_t threads : {1, 2, 3})
    for (const std::size_t chunk : {std::size_t{1} << 20, std::size_t{997}, std::size_t{1}}) {
      // Small chunks make pieces of a few KiB: lines cross the pieces' edges many times.
      for (const auto& inputs : std::vector<std::vector<std::string>>{{tmp / "a.csv.gz", tmp / "b.csv.zst"},
                                                                    {tmp / "a.csv", tmp / "b-gzip-named.csv"}}) {
        Dictionaries dictionaries;
        const ColumnBlock block = ingest_rows(inputs, tmp / fmt::format("ds{}", k++), threads, chunk, &dictionaries);
        EXPECT_TRUE(same_rows(plain, block)) << threads << " threads, chunk " << chunk << ", " << inputs[0];
        EXPECT_EQ(dictionaries, plain_dictionaries);
      }
    }
}

TEST(InputFiles, TheReportNamesEachInputsCompressionAndTextSize) {
  mmn::testing::TempDir tmp;
  const std::string a = std::string(kHeader) + rows(3000, 3);
  write_file(tmp / "a.csv.zst", zstd_bytes(a));
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  IngestConfig config;
  config.out_dir = tmp / "ds";
  const IngestReport report = ingest(schema, {tmp / "a.csv.zst"}, config);
  ASSERT_EQ(report.inputs.size(), 1u);
  EXPECT_EQ(report.inputs[0].compression, "zstd");
  EXPECT_EQ(report.inputs[0].text_bytes, a.size());
  EXPECT_EQ(report.inputs[0].bytes, fs::file_size(tmp / "a.csv.zst"));
  EXPECT_EQ(report.rows_written, 3000u);
}

TEST(InputFiles, ACompressedFilesHeaderIsChecked) {
  mmn::testing::TempDir tmp;
  write_file(tmp / "a.csv.gz", gzip_bytes("click,typo,x,item\n1,t,1,i\n"));
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  IngestConfig config;
  config.out_dir = tmp / "ds";
  const std::string message = error_of([&] { ingest(schema, {tmp / "a.csv.gz"}, config); });
  EXPECT_EQ(message.rfind(tmp / "a.csv.gz:1:2: header column 2 is 'typo'", 0), 0u) << message;
  write_file(tmp / "empty.csv.zst", zstd_bytes(""));
  EXPECT_NE(error_of([&] { ingest(schema, {tmp / "empty.csv.zst"}, config); }).find("empty.csv.zst: the file is empty"),
            std::string::npos);
}

TEST(InputFiles, ATruncatedOrCorruptArchiveFailsNamingItAndLeavesNoOutput) {
  mmn::testing::TempDir tmp;
  const std::string text = std::string(kHeader) + rows(60000, 4);
  const std::string gz = gzip_bytes(text), zst = zstd_bytes(text);
  write_file(tmp / "cut.csv.gz", gz.substr(0, gz.size() * 2 / 3));
  write_file(tmp / "cut.csv.zst", zst.substr(0, zst.size() - 3));
  std::string bad_check = gz;  // the text decodes, its CRC-32 (the trailer) does not match
  bad_check[bad_check.size() - 6] = static_cast<char>(~bad_check[bad_check.size() - 6]);
  write_file(tmp / "bad.csv.gz", bad_check);
  std::string garbled = gz;  // garbage text, or a decoding error, whichever comes first
  for (std::size_t i = garbled.size() / 2; i < garbled.size() / 2 + 32; ++i) garbled[i] = static_cast<char>(~garbled[i]);
  write_file(tmp / "garbled.csv.gz", garbled);
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  const std::pair<const char*, const char*> cases[] = {{"cut.csv.gz", "the gzip data ends early"},
                                                       {"cut.csv.zst", "the zstd data ends early"},
                                                       {"bad.csv.gz", "corrupt gzip data near compressed byte"}};
  for (const auto& c : cases) {
    const std::string path = tmp / c.first;
    IngestConfig config;
    config.out_dir = tmp / "ds";
    config.chunk_bytes = 4096;
    const std::string message = error_of([&] { ingest(schema, {path}, config); });
    EXPECT_NE(message.find(path + ": " + c.second), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(tmp / "ds"));
    EXPECT_FALSE(fs::exists(tmp / "ds.incomplete-" + std::to_string(::getpid())));
  }
  IngestConfig config;
  config.out_dir = tmp / "ds";
  const std::string message = error_of([&] { ingest(schema, {tmp / "garbled.csv.gz"}, config); });
  EXPECT_EQ(message.rfind(tmp / "garbled.csv.gz:", 0), 0u) << message;
  EXPECT_FALSE(fs::exists(tmp / "ds"));
}

}  // namespace
}  // namespace mmn::ingest
