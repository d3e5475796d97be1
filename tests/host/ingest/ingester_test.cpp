// The pipeline: chunks and threads, several inputs, headers, awkward inputs,
// interrupted and failed ingests.
#include "mmn/ingest/ingester.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>

#include "host/ingest/ingest_test_util.h"
#include "mmn/data/dataset.h"
#include "mmn/util/file_writer.h"
#include "mmn/util/thread_pool.h"
#include "testing/temp_dir.h"

namespace mmn::ingest {
namespace {

namespace fs = std::filesystem;
using testing::error_of;
using testing::fixture;
using testing::read_all;
using testing::same_rows;
using testing::write_file;

constexpr const char* kSchema = R"(
[input]
delimiter = ","
header = true
[[column]]
name = "click"
role = "click"
[[column]]
name = "conv"
role = "conversion"
[[column]]
name = "type"
role = "type"
[[column]]
name = "scen"
role = "scenario"
[[column]]
name = "x"
role = "numeric"
[[column]]
name = "item"
role = "categorical"
encoding = "dictionary"
max_size = 300
[[column]]
name = "site"
role = "categorical"
encoding = "hash"
vocab_size = 64
)";
constexpr const char* kHeader = "click,conv,type,scen,x,item,site\n";

// Rows with many distinct dictionary values, so that chunks see new values in turn.
std::string random_rows(std::size_t n, unsigned seed, std::size_t first_x = 0) {
  std::mt19937 rng(seed);
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned click = rng() % 2;
    const unsigned conv = click != 0 ? rng() % 2 : 0;
    s += fmt::format("{},{},t{},s{},{},i{},\"w,{}\"\n", click, conv, rng() % 5, rng() % 40, first_x + i, rng() % 500,
                     rng() % 1000);
    if (rng() % 50 == 0) s += "\n";  // blank lines
  }
  return s;
}

Dataset run(const IngestSchema& schema, const std::vector<std::string>& inputs, IngestConfig config) {
  ingest(schema, inputs, config);
  return Dataset::open(config.out_dir);
}

TEST(Ingester, SameOutputForAnyThreadCountAndChunkSize) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  write_file(tmp / "a.csv", std::string(kHeader) + random_rows(3000, 1));
  write_file(tmp / "b.csv", std::string(kHeader) + random_rows(2000, 2, 3000));
  std::vector<ColumnBlock> blocks;
  std::vector<Dictionaries> dicts;
  int k = 0;
  for (std::size_t threads : {1, 2, 3}) {
    for (std::size_t chunk : {std::size_t{1} << 20, std::size_t{1000}, std::size_t{1}}) {
      ThreadPool pool(threads);
      IngestConfig config;
      config.out_dir = tmp / ("ds" + std::to_string(k++));
      config.pool = &pool;
      config.chunk_bytes = chunk;
      config.chunks_per_batch = 3;
      config.rows_per_shard = 1700;
      const Dataset ds = run(schema, {tmp / "a.csv", tmp / "b.csv"}, config);
      EXPECT_EQ(ds.rows(), 5000u);
      EXPECT_EQ(ds.shards().size(), 3u);
      blocks.push_back(read_all(ds));
      dicts.push_back(ds.dictionaries());
    }
  }
  // Rows keep file order across inputs and chunks.
  for (std::size_t i = 0; i < 5000; ++i) ASSERT_EQ(blocks[0].dense[0][i], static_cast<float>(i));
  for (std::size_t i = 1; i < blocks.size(); ++i) {
    EXPECT_TRUE(same_rows(blocks[0], blocks[i])) << i;
    EXPECT_EQ(dicts[0], dicts[i]) << i;
  }
  // First-appearance order: the dictionary lists values as a sequential scan meets them.
  const auto& items = dicts[0].categorical.at("item");
  ASSERT_EQ(items.size(), 300u);  // capped at max_size; later values are out of vocabulary
  std::vector<std::string> seen;
  for (const std::string& text : {random_rows(3000, 1), random_rows(2000, 2, 3000)}) {
    std::size_t pos = 0;
    while ((pos = text.find(",i", pos)) != std::string::npos) {
      const std::string v = text.substr(pos + 1, text.find(',', pos + 1) - pos - 1);
      if (std::find(seen.begin(), seen.end(), v) == seen.end()) seen.push_back(v);
      pos += 2;
    }
  }
  seen.resize(300);
  EXPECT_EQ(items, seen);
  std::size_t oov = 0;
  for (auto id : blocks[0].categorical[0]) oov += id == kOutOfVocabularyId;
  EXPECT_GT(oov, 0u);
}

TEST(Ingester, LineNumbersAreRightInLaterChunksAndFiles) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  std::string a = std::string(kHeader) + "1,0,t,s,1,i,w\n\n\r\n";
  for (int i = 0; i < 500; ++i) a += "1,0,t,s,1,i,w\n";
  a += "1,0,t,s,oops,i,w\n";  // line 505
  write_file(tmp / "a.csv", a);
  IngestConfig config;
  config.out_dir = tmp / "ds";
  config.chunk_bytes = 50;
  const std::string msg = error_of([&] { ingest(schema, {tmp / "a.csv"}, config); });
  EXPECT_EQ(msg.rfind(tmp / "a.csv:505:5: column 'x' (numeric): 'oops'", 0), 0u) << msg;

  // In a second input, line numbers restart.
  write_file(tmp / "b.csv", std::string(kHeader) + "1,0,t,s,1,i,w\n1,0,t,s,1,i\n");
  write_file(tmp / "a.csv", std::string(kHeader) + random_rows(400, 3));
  const std::string msg2 = error_of([&] { ingest(schema, {tmp / "a.csv", tmp / "b.csv"}, config); });
  EXPECT_EQ(msg2.rfind(tmp / "b.csv:3:7: expected 7 fields, found 6", 0), 0u) << msg2;
}

TEST(Ingester, HeaderMustMatchTheSchema) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  IngestConfig config;
  config.out_dir = tmp / "ds";
  write_file(tmp / "a.csv", "click,conv,type,scenario,x,item,site\n1,0,t,s,1,i,w\n");
  std::string msg = error_of([&] { ingest(schema, {tmp / "a.csv"}, config); });
  EXPECT_NE(msg.find(tmp / "a.csv:1:4: header column 4 is 'scenario', but the schema s.toml names column 4 'scen'"),
            std::string::npos)
      << msg;
  write_file(tmp / "a.csv", "click,conv,type,scen,x,item\n1,0,t,s,1,i,w\n");
  msg = error_of([&] { ingest(schema, {tmp / "a.csv"}, config); });
  EXPECT_NE(msg.find(tmp / "a.csv:1: the header has 6 columns, the schema s.toml has 7 (the header lacks 'site')"),
            std::string::npos)
      << msg;
  // A quoted header with a byte order mark and CRLF is fine.
  write_file(tmp / "a.csv", "\xEF\xBB\xBF\"click\",conv,type,scen,x,item,site\r\n1,0,t,s,1,i,w\r\n");
  EXPECT_EQ(run(schema, {tmp / "a.csv"}, config).rows(), 1u);
  EXPECT_FALSE(fs::exists(tmp / "ds.incomplete-" + std::to_string(::getpid())));
}

TEST(Ingester, AwkwardInputs) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  IngestConfig config;
  config.out_dir = tmp / "ds";
  auto message = [&](const std::string& content) {
    write_file(tmp / "in.csv", content);
    return error_of([&] { ingest(schema, {tmp / "in.csv"}, config); });
  };
  // Empty file; a header and nothing else; only blank lines: errors, no data set.
  EXPECT_NE(message("").find("the file is empty, but the schema s.toml says it starts with a header"),
            std::string::npos);
  EXPECT_NE(message(kHeader).find("no rows to write: the input holds no data rows"), std::string::npos);
  EXPECT_NE(message(std::string(kHeader) + "\n\r\n\n").find("no data rows"), std::string::npos);
  EXPECT_NE(message("\n" + std::string(kHeader)).find(":1: the first line is blank"), std::string::npos);
  EXPECT_FALSE(fs::exists(tmp / "ds"));

  // A header-only file among others is fine; a last line without a line end is read.
  write_file(tmp / "h.csv", kHeader);
  write_file(tmp / "in.csv", std::string(kHeader) + "1,0,t,s,1,i,w\n0,0,t,s,2,i,w");
  Dataset ds = run(schema, {tmp / "h.csv", tmp / "in.csv"}, config);
  EXPECT_EQ(read_all(ds).dense[0], (std::vector<float>{1, 2}));
  config.overwrite = true;

  // Binary garbage and a very long line are bad rows, never a crash.
  std::string garbage(1 << 16, '\0');
  std::mt19937 rng(5);
  for (auto& c : garbage) c = static_cast<char>(rng());
  std::string msg = message(std::string(kHeader) + garbage);
  EXPECT_EQ(msg.rfind(tmp / "in.csv:2:", 0), 0u) << msg.substr(0, 200);
  msg = message(std::string(kHeader) + "1,0,t,s,1,i," + std::string(5 << 20, 'w') + ",\n");
  EXPECT_NE(msg.find("expected 7 fields, found 8"), std::string::npos) << msg.substr(0, 200);
  write_file(tmp / "in.csv", std::string(kHeader) + "1,0,t,s,1,i," + std::string(5 << 20, 'w') + "\n");
  config.chunk_bytes = 1000;
  EXPECT_EQ(run(schema, {tmp / "in.csv"}, config).rows(), 1u);
  config.on_bad_row = BadRowPolicy::skip;
  write_file(tmp / "in.csv", std::string(kHeader) + garbage + "\n1,0,t,s,1,i,w\n");
  config.max_bad_rows = 1u << 20;
  const IngestReport r = ingest(schema, {tmp / "in.csv"}, config);
  EXPECT_EQ(r.rows_written, 1u);
  EXPECT_GT(r.rows_skipped, 0u);

  // Inputs that are not regular files, or missing.
  EXPECT_NE(error_of([&] { ingest(schema, {tmp.str()}, config); }).find("not a regular file"), std::string::npos);
  EXPECT_NE(error_of([&] { ingest(schema, {tmp / "missing.csv"}, config); }).find("missing.csv: cannot open"),
            std::string::npos);
}

TEST(Ingester, NeverClobbersWithoutOverwrite) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  write_file(tmp / "a.csv", std::string(kHeader) + random_rows(10, 4));
  write_file(tmp / "b.csv", std::string(kHeader) + random_rows(20, 5));
  IngestConfig config;
  config.out_dir = tmp / "ds";
  run(schema, {tmp / "a.csv"}, config);
  EXPECT_NE(error_of([&] { ingest(schema, {tmp / "b.csv"}, config); }).find("already exists"), std::string::npos);
  EXPECT_EQ(Dataset::open(tmp / "ds").rows(), 10u);
  // A failing replacement keeps the old data set.
  write_file(tmp / "bad.csv", std::string(kHeader) + "1,0,t,s,x,i,w\n");
  config.overwrite = true;
  EXPECT_FALSE(error_of([&] { ingest(schema, {tmp / "bad.csv"}, config); }).empty());
  EXPECT_EQ(Dataset::open(tmp / "ds").rows(), 10u);
  EXPECT_EQ(run(schema, {tmp / "b.csv"}, config).rows(), 20u);
}

TEST(Ingester, AFailedWriteLeavesNothingThatLooksValid) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  write_file(tmp / "a.csv", std::string(kHeader) + random_rows(5000, 6));
  IngestConfig config;
  config.out_dir = tmp / "ds";
  config.rows_per_shard = 1000;  // shards are on disk before the failure
  config.chunk_bytes = 4096;
  set_write_failure_after_bytes(50000);
  const std::string msg = error_of([&] { ingest(schema, {tmp / "a.csv"}, config); });
  set_write_failure_after_bytes(-1);
  EXPECT_NE(msg.find("No space left on device"), std::string::npos) << msg;
  EXPECT_NE(error_of([&] { Dataset::open(tmp / "ds"); }).find("does not exist"), std::string::npos);
  for (const auto& e : fs::directory_iterator(tmp.str()))
    EXPECT_EQ(e.path().filename().string().find("ds"), std::string::npos) << e.path();
}

TEST(Ingester, CancelStopsAndLeavesNothing) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  write_file(tmp / "a.csv", std::string(kHeader) + random_rows(100, 7));
  std::atomic<bool> cancel{true};
  IngestConfig config;
  config.out_dir = tmp / "ds";
  config.cancel = &cancel;
  EXPECT_NE(error_of([&] { ingest(schema, {tmp / "a.csv"}, config); }).find("interrupted"), std::string::npos);
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.str()), fs::directory_iterator()), 1);
}

TEST(Ingester, DryRunChecksEverythingAndWritesNothing) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  write_file(tmp / "a.csv", std::string(kHeader) + random_rows(100, 8) + "1,0,t,s,1,i\n");
  IngestConfig config;
  config.dry_run = true;
  config.on_bad_row = BadRowPolicy::skip;
  const IngestReport r = ingest(schema, {tmp / "a.csv"}, config);
  EXPECT_EQ(r.rows_written, 100u);
  EXPECT_EQ(r.rows_skipped, 1u);
  EXPECT_EQ(r.n_types, 5u);
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.str()), fs::directory_iterator()), 1);
}

TEST(Ingester, TooManyTypesIsAnErrorAtTheRowThatAddsOne) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  std::string text = kHeader;
  for (int i = 0; i < 65536; ++i) text += fmt::format("0,0,t{},s,1,i,w\n", i);
  write_file(tmp / "a.csv", text);
  IngestConfig config;
  config.out_dir = tmp / "ds";
  config.chunk_bytes = 10000;
  const std::string msg = error_of([&] { ingest(schema, {tmp / "a.csv"}, config); });
  EXPECT_EQ(msg.rfind(tmp / "a.csv:65537:3: column 'type' (type): 't65535' is a value beyond the 65535", 0), 0u) << msg;
}

}  // namespace
}  // namespace mmn::ingest
