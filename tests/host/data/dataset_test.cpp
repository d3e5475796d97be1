#include "mmn/data/dataset.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "mmn/data/shard_writer.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"
#include "mmn/util/thread_pool.h"
#include "testing/random_block.h"
#include "testing/temp_dir.h"
#include "testing/error_of.h"

namespace mmn {
namespace {

namespace fs = std::filesystem;
using testing::random_block;
using testing::small_schema;
using testing::TempDir;

Dictionaries names_for(const Schema& s) {
  Dictionaries d;
  for (std::uint32_t t = 0; t < s.n_types; ++t) d.types.push_back("type" + std::to_string(t));
  for (std::uint32_t c = 0; c < s.n_scenarios; ++c) d.scenarios.push_back("scen" + std::to_string(c));
  return d;
}

using mmn::testing::error_of;

TEST(Dataset, RoundTripAcrossShardsAndGroupsInRowOrder) {
  TempDir tmp;
  const Schema schema = small_schema();
  const ColumnBlock block = random_block(schema, 2500, 11);
  {
    DatasetWriter w(tmp / "ds", schema, {1000, 300, false});
    w.append(view_of(block).slice(0, 1234));
    w.append(view_of(block).slice(1234, 2500));
    Dictionaries d = names_for(schema);
    d.categorical["item"] = {"a", "b"};
    w.commit(d, {{"tool", "test"}});
  }
  ThreadPool pool(2);
  const Dataset ds = Dataset::open(tmp / "ds", Verify::full, &pool);
  EXPECT_EQ(ds.rows(), 2500u);
  EXPECT_EQ(ds.shards().size(), 3u);
  EXPECT_EQ(ds.schema(), schema);
  EXPECT_EQ(ds.dictionaries().types[2], "type2");
  EXPECT_EQ(ds.dictionaries().categorical.at("item")[1], "b");
  EXPECT_EQ(ds.provenance()["tool"], "test");
  // 1000-row shards in 300-row groups: 4 + 4 + 2 groups.
  ASSERT_EQ(ds.row_groups().size(), 10u);
  EXPECT_EQ(ds.row_groups()[4].first_row, 1000u);
  EXPECT_EQ(ds.row_groups()[9].first_row, 2300u);
  EXPECT_EQ(ds.row_groups()[9].rows, 200u);
  std::size_t row = 0;
  for (const auto& shard : ds.shards())
    for (std::size_t i = 0; i < shard.rows(); ++i, ++row) {
      ASSERT_EQ(shard.columns().categorical[2][i], block.categorical[2][row]);
      ASSERT_EQ(shard.columns().dense[0][i], block.dense[0][row]);
    }
  EXPECT_EQ(row, 2500u);
}

TEST(Dataset, UncommittedWriterLeavesNothingThatLooksValid) {
  TempDir tmp;
  const Schema schema = small_schema();
  {
    DatasetWriter w(tmp / "ds", schema, {100, 50, false});
    w.append(view_of(random_block(schema, 450, 12)));  // four shards already on disk
  }
  EXPECT_FALSE(fs::exists(tmp / "ds"));
  EXPECT_TRUE(fs::is_empty(tmp.str())) << "temporary directory left behind";
}

TEST(Dataset, InterruptedWriteIsNotADataSet) {
  // What a killed process leaves: the temporary directory with shards but no manifest.
  TempDir tmp;
  const Schema schema = small_schema();
  const std::string partial = tmp / "ds.incomplete-999";
  fs::create_directory(partial);
  write_shard((fs::path(partial) / "part-00000.mmns").string(), schema, view_of(random_block(schema, 10, 13)));
  const std::string msg = error_of([&] { Dataset::open(partial); });
  EXPECT_NE(msg.find("not an mmn data set: dataset.json is missing"), std::string::npos) << msg;
  EXPECT_NE(error_of([&] { Dataset::open(tmp / "ds"); }).find("does not exist"), std::string::npos);
}

TEST(Dataset, RefusesToOverwriteUnlessAskedAndKeepsTheOldDataOnFailure) {
  TempDir tmp;
  const Schema schema = small_schema();
  {
    DatasetWriter w(tmp / "ds", schema);
    w.append(view_of(random_block(schema, 10, 14)));
    w.commit(names_for(schema));
  }
  EXPECT_NE(error_of([&] { DatasetWriter w(tmp / "ds", schema); }).find("already exists"), std::string::npos);
  // A replacement that fails midway (injected full disk) leaves the old data set whole.
  {
    DatasetWriter w(tmp / "ds", schema, {5, 5, true});
    set_write_failure_after_bytes(100);
    const std::string msg = error_of([&] { w.append(view_of(random_block(schema, 10, 15))); });
    set_write_failure_after_bytes(-1);
    EXPECT_NE(msg.find("No space left on device"), std::string::npos) << msg;
  }
  EXPECT_EQ(Dataset::open(tmp / "ds").rows(), 10u);
  {
    DatasetWriter w(tmp / "ds", schema, {5, 5, true});
    w.append(view_of(random_block(schema, 7, 16)));
    w.commit(names_for(schema));
  }
  EXPECT_EQ(Dataset::open(tmp / "ds").rows(), 7u);
  EXPECT_EQ(std::distance(fs::directory_iterator(tmp.str()), fs::directory_iterator()), 1);
}

TEST(Dataset, RefusesToReplaceADirectoryThatIsNotADataSet) {
  TempDir tmp;
  fs::create_directory(tmp / "mine");
  std::ofstream(tmp / "mine/notes.txt") << "precious";
  const std::string msg = error_of([&] { DatasetWriter w(tmp / "mine", small_schema(), {1, 1, true}); });
  EXPECT_NE(msg.find("is not an mmn data set; refusing to replace it"), std::string::npos) << msg;
  EXPECT_TRUE(fs::exists(tmp / "mine/notes.txt"));
}

TEST(Dataset, CorruptShardInsideADataSetIsNamed) {
  TempDir tmp;
  const Schema schema = small_schema();
  {
    DatasetWriter w(tmp / "ds", schema, {100, 100, false});
    w.append(view_of(random_block(schema, 250, 17)));
    w.commit(names_for(schema));
  }
  const std::string shard = tmp / "ds/part-00001.mmns";
  fs::resize_file(shard, fs::file_size(shard) - 10);
  const std::string msg = error_of([&] { Dataset::open(tmp / "ds"); });
  EXPECT_NE(msg.find(shard + ": truncated"), std::string::npos) << msg;
}

TEST(Dataset, BadManifestsAreNamed) {
  TempDir tmp;
  const Schema schema = small_schema();
  {
    DatasetWriter w(tmp / "ds", schema);
    w.append(view_of(random_block(schema, 20, 18)));
    w.commit(names_for(schema));
  }
  const std::string manifest = tmp / "ds/dataset.json";
  std::ofstream(manifest, std::ios::trunc) << "{ not json";
  EXPECT_NE(error_of([&] { Dataset::open(tmp / "ds"); }).find(manifest + ": not valid JSON"), std::string::npos);
  std::ofstream(manifest, std::ios::trunc) << R"({"format":"mmn-dataset","version":99})";
  EXPECT_NE(error_of([&] { Dataset::open(tmp / "ds"); }).find("version 99 is newer"), std::string::npos);
  std::ofstream(manifest, std::ios::trunc) << R"({"format":"something-else"})";
  EXPECT_NE(error_of([&] { Dataset::open(tmp / "ds"); }).find("not an mmn data set manifest"), std::string::npos);
}

TEST(Dataset, ShardFileNamesMayNotEscapeTheDirectory) {
  TempDir tmp;
  const Schema schema = small_schema();
  {
    DatasetWriter w(tmp / "ds", schema);
    w.append(view_of(random_block(schema, 20, 19)));
    w.commit(names_for(schema));
  }
  const std::string manifest = tmp / "ds/dataset.json";
  std::ifstream in(manifest);
  std::string text{std::istreambuf_iterator<char>(in), {}};
  const auto at = text.find("part-00000.mmns");
  text.replace(at, std::string("part-00000.mmns").size(), "../x.mmns");
  std::ofstream(manifest, std::ios::trunc) << text;
  EXPECT_NE(error_of([&] { Dataset::open(tmp / "ds"); }).find("must be a plain file name"), std::string::npos);
}

}  // namespace
}  // namespace mmn
