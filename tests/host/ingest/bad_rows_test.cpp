// Every kind of bad row under both policies: fail names file:line:column and the
// reason and leaves no output; skip counts them and keeps exactly the good rows.
#include <gtest/gtest.h>

#include <filesystem>

#include "host/ingest/ingest_test_util.h"
#include "mmn/data/dataset.h"
#include "mmn/ingest/ingester.h"
#include "testing/temp_dir.h"

namespace mmn::ingest {
namespace {

namespace fs = std::filesystem;
using testing::error_of;
using testing::read_all;
using testing::write_file;

constexpr const char* kSchema = R"(
[input]
delimiter = ","
[[column]]
name = "click"
role = "click"
[[column]]
name = "conv"
role = "conversion"
[[column]]
name = "type"
role = "type"
values = ["a", "b"]
[[column]]
name = "scen"
role = "scenario"
[[column]]
name = "x"
role = "numeric"
[[column]]
name = "title"
role = "categorical"
encoding = "dictionary"
max_size = 10
[[column]]
name = "pc"
role = "p_ctr"
[[column]]
name = "pv"
role = "p_cvr"
)";

struct BadCase {
  const char* line;
  int column;
  const char* reason;
};

const BadCase kCases[] = {
    {"1,0,a,s1,9", 6, "expected 8 fields, found 5 (column 'title' is missing)"},
    {"1,0,a,s1,9,t,0.1,0.2,extra", 9, "expected 8 fields, found 9"},
    {"1,0,a,s1,abc,t,0.1,0.2", 5, "column 'x' (numeric): 'abc' is not a finite number"},
    {"1,0,a,s1,nan,t,0.1,0.2", 5, "column 'x' (numeric): 'nan' is not a finite number"},
    {"1,0,a,s1,-inf,t,0.1,0.2", 5, "column 'x' (numeric): '-inf' is not a finite number"},
    {"2,0,a,s1,9,t,0.1,0.2", 1, "column 'click' (click): '2' is not a label (0 or 1)"},
    {"1,yes,a,s1,9,t,0.1,0.2", 2, "column 'conv' (conversion): 'yes' is not a label (0 or 1)"},
    {",0,a,s1,9,t,0.1,0.2", 1, "column 'click' (click): '' is not a label"},
    {"0,1,a,s1,9,t,0.1,0.2", 2, "column 'conv' (conversion): conversion is 1 where click is 0"},
    {"1,0,zzz,s1,9,t,0.1,0.2", 3, "column 'type' (type): 'zzz' is not in the fixed dictionary"},
    {"1,0,,s1,9,t,0.1,0.2", 3, "column 'type' (type): the value is empty"},
    {"1,0,a,s1,9,t,1.5,0.2", 7, "column 'pc' (p_ctr): '1.5' is not a probability in [0, 1]"},
    {"1,0,a,s1,9,t,0.1,-0.01", 8, "column 'pv' (p_cvr): '-0.01' is not a probability in [0, 1]"},
    {"1,0,a,s1,9,\"open,0.1,0.2", 6, "column 'title' (categorical): a quote is still open at the end of the line"},
    {"1,0,a,s1,9,\"t\"x,0.1,0.2", 6, "column 'title' (categorical): unexpected text after a closing quote"},
    {"1,0,a,s1,9,caf\xE9,0.1,0.2", 6, "column 'title' (categorical): 'caf\xE9' is not valid UTF-8"},
    {"1,0,a,\xFF,9,t,0.1,0.2", 4, "column 'scen' (scenario): '\xFF' is not valid UTF-8"},
};

// Good rows 1, 2 and 4 carry x = 1, 2, 4; line 3 is the bad one.
std::string input_with(const char* bad) {
  return std::string("1,1,a,s1,1,t1,0.5,0.5\n0,0,b,s2,2,t2,0.1,0.0\n") + bad + "\n1,0,b,s3,4,t3,1,0\n";
}

TEST(BadRows, FailPolicyNamesFileLineColumnAndReasonAndLeavesNoOutput) {
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  for (const auto& c : kCases) {
    mmn::testing::TempDir tmp;
    write_file(tmp / "in.csv", input_with(c.line));
    IngestConfig config;
    config.out_dir = tmp / "ds";
    const std::string msg = error_of([&] { ingest(schema, {tmp / "in.csv"}, config); });
    const std::string where = fmt::format("{}:3:{}: ", tmp / "in.csv", c.column);
    EXPECT_EQ(msg.rfind(where, 0), 0u) << c.line << "\n" << msg;
    EXPECT_NE(msg.find(c.reason), std::string::npos) << c.line << "\n" << msg;
    EXPECT_FALSE(fs::exists(tmp / "ds")) << c.line;
    EXPECT_EQ(std::distance(fs::directory_iterator(tmp.str()), fs::directory_iterator()), 1) << "leftovers";
  }
}

TEST(BadRows, SkipPolicyCountsAndKeepsExactlyTheGoodRows) {
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  for (const auto& c : kCases) {
    mmn::testing::TempDir tmp;
    write_file(tmp / "in.csv", input_with(c.line));
    IngestConfig config;
    config.out_dir = tmp / "ds";
    config.on_bad_row = BadRowPolicy::skip;
    const IngestReport r = ingest(schema, {tmp / "in.csv"}, config);
    EXPECT_EQ(r.rows_read, 4u) << c.line;
    EXPECT_EQ(r.rows_written, 3u) << c.line;
    EXPECT_EQ(r.rows_skipped, 1u) << c.line;
    ASSERT_EQ(r.first_bad_rows.size(), 1u);
    EXPECT_EQ(r.first_bad_rows[0].line, 3u);
    EXPECT_EQ(r.first_bad_rows[0].column, static_cast<std::uint32_t>(c.column));
    EXPECT_NE(r.first_bad_rows[0].message().find(c.reason), std::string::npos) << r.first_bad_rows[0].message();
    const Dataset ds = Dataset::open(tmp / "ds");
    const ColumnBlock b = read_all(ds);
    EXPECT_EQ(b.dense[0], (std::vector<float>{1, 2, 4})) << c.line;
    EXPECT_EQ(b.click, (std::vector<std::uint8_t>{1, 0, 1}));
    EXPECT_EQ(b.type, (std::vector<std::uint16_t>{0, 1, 1}));
    EXPECT_EQ(b.p_ctr, (std::vector<float>{0.5f, 0.1f, 1.0f}));
    // A skipped row never claims a dictionary id: only s1, s2, s3 and t1, t2, t3.
    EXPECT_EQ(ds.dictionaries().scenarios, (std::vector<std::string>{"s1", "s2", "s3"}));
    EXPECT_EQ(ds.dictionaries().categorical.at("title"), (std::vector<std::string>{"t1", "t2", "t3"}));
    EXPECT_EQ(ds.provenance()["rows_skipped"], 1);
    EXPECT_EQ(ds.provenance()["inputs"][0]["rows_skipped"], 1);
  }
}

TEST(BadRows, MoreThanMaxBadRowsFails) {
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  mmn::testing::TempDir tmp;
  std::string text;
  for (int i = 0; i < 10; ++i) text += i % 3 == 1 ? "1,0,a,s1,bad,t,0,0\n" : "1,0,a,s1,1,t,0,0\n";  // 3 bad rows
  write_file(tmp / "in.csv", text);
  IngestConfig config;
  config.out_dir = tmp / "ds";
  config.on_bad_row = BadRowPolicy::skip;
  config.max_bad_rows = 2;
  const std::string msg = error_of([&] { ingest(schema, {tmp / "in.csv"}, config); });
  EXPECT_NE(msg.find("more than 2 bad rows"), std::string::npos) << msg;
  EXPECT_NE(msg.find(tmp / "in.csv:2:5: column 'x'"), std::string::npos) << msg;
  EXPECT_NE(msg.find(tmp / "in.csv:5:5:"), std::string::npos) << msg;
  EXPECT_FALSE(fs::exists(tmp / "ds"));
  config.max_bad_rows = 3;
  const IngestReport r = ingest(schema, {tmp / "in.csv"}, config);
  EXPECT_EQ(r.rows_skipped, 3u);
  EXPECT_EQ(r.rows_written, 7u);
  ASSERT_EQ(r.first_bad_rows.size(), 3u);
  EXPECT_EQ(r.first_bad_rows[2].line, 8u);
}

TEST(BadRows, OnlyTheFirstFewAreKeptButAllAreCounted) {
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  mmn::testing::TempDir tmp;
  std::string text = "1,0,a,s1,1,t,0,0\n";
  for (int i = 0; i < 50; ++i) text += "garbage\n";
  write_file(tmp / "in.csv", text);
  IngestConfig config;
  config.out_dir = tmp / "ds";
  config.on_bad_row = BadRowPolicy::skip;
  config.chunk_bytes = 64;  // bad rows spread over many chunks
  const IngestReport r = ingest(schema, {tmp / "in.csv"}, config);
  EXPECT_EQ(r.rows_skipped, 50u);
  ASSERT_EQ(r.first_bad_rows.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(r.first_bad_rows[i].line, i + 2);
}

TEST(BadRows, ConversionBeforeClickIsCheckedToo) {
  const IngestSchema schema = parse_ingest_schema(
      "[[column]]\nname = \"v\"\nrole = \"conversion\"\n[[column]]\nname = \"c\"\nrole = \"click\"\n", "s");
  mmn::testing::TempDir tmp;
  write_file(tmp / "in.csv", "1,1\n1,0\n");
  IngestConfig config;
  config.out_dir = tmp / "ds";
  const std::string msg = error_of([&] { ingest(schema, {tmp / "in.csv"}, config); });
  EXPECT_NE(msg.find(tmp / "in.csv:2:1: column 'v' (conversion): conversion is 1 where click is 0"), std::string::npos)
      << msg;
}

TEST(BadRows, UnknownScenarioWithDictionariesFromAnotherDataSet) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  write_file(tmp / "train.csv", "1,0,a,s1,1,t1,0,0\n1,0,b,s2,2,t2,0,0\n");
  IngestConfig config;
  config.out_dir = tmp / "train";
  ingest(schema, {tmp / "train.csv"}, config);

  // The test set takes the training set's dictionaries, fixed: same ids, s9 is bad,
  // an unseen title is out of vocabulary (id 1).
  write_file(tmp / "test.csv", "1,0,b,s2,5,t2,0,0\n1,0,a,s9,6,t1,0,0\n1,0,a,s1,7,new,0,0\n");
  config.out_dir = tmp / "test";
  config.dictionaries_from = tmp / "train";
  std::string msg = error_of([&] { ingest(schema, {tmp / "test.csv"}, config); });
  EXPECT_NE(msg.find(tmp / "test.csv:2:4: column 'scen' (scenario): 's9' is not in the fixed dictionary"),
            std::string::npos)
      << msg;
  EXPECT_FALSE(fs::exists(tmp / "test"));

  config.on_bad_row = BadRowPolicy::skip;
  const IngestReport r = ingest(schema, {tmp / "test.csv"}, config);
  EXPECT_EQ(r.rows_skipped, 1u);
  const Dataset ds = Dataset::open(tmp / "test");
  EXPECT_EQ(ds.dictionaries(), Dataset::open(tmp / "train").dictionaries());
  const ColumnBlock b = read_all(ds);
  EXPECT_EQ(b.scenario, (std::vector<std::uint16_t>{1, 0}));
  EXPECT_EQ(b.categorical[0], (std::vector<std::uint32_t>{3, kOutOfVocabularyId}));
  EXPECT_EQ(ds.schema().n_scenarios, 2u);
}

TEST(BadRows, DictionariesFromMustMatchTheSchema) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema(kSchema, "s.toml");
  write_file(tmp / "train.csv", "1,0,a,s1,1,t1,0,0\n");
  IngestConfig config;
  config.out_dir = tmp / "train";
  ingest(schema, {tmp / "train.csv"}, config);
  // A schema with a bigger dictionary cap would give the field another vocabulary size.
  std::string text = kSchema;
  text.replace(text.find("max_size = 10"), 13, "max_size = 11");
  config.out_dir = tmp / "test";
  config.dictionaries_from = tmp / "train";
  const std::string msg = error_of([&] { ingest(parse_ingest_schema(text, "s2.toml"), {tmp / "train.csv"}, config); });
  EXPECT_NE(msg.find("column 'title': vocabulary size 13 in the schema s2.toml, but 12 in --dictionaries-from"),
            std::string::npos)
      << msg;
  config.dictionaries_from = tmp / "nowhere";
  EXPECT_NE(error_of([&] { ingest(schema, {tmp / "train.csv"}, config); }).find("does not exist"), std::string::npos);
}

}  // namespace
}  // namespace mmn::ingest
