// The three input shapes of the fixtures, checked value by value.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "host/ingest/ingest_test_util.h"
#include "mmn/data/dataset.h"
#include "mmn/ingest/ingester.h"
#include "testing/temp_dir.h"

namespace mmn::ingest {
namespace {

using testing::expected_hash_id;
using testing::fixture;
using testing::read_all;

float log1pf_(double x) { return static_cast<float>(std::log1p(x)); }

TEST(IngestFixtures, CriteoStyleTsv) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema_file(fixture("criteo_schema.toml"));
  IngestConfig config;
  config.out_dir = tmp / "ds";
  const IngestReport report = ingest(schema, {fixture("criteo_small.tsv")}, config);
  EXPECT_EQ(report.rows_read, 6u);
  EXPECT_EQ(report.rows_written, 6u);
  EXPECT_EQ(report.rows_skipped, 0u);

  const Dataset ds = Dataset::open(tmp / "ds");
  const Schema& s = ds.schema();
  EXPECT_EQ(s.n_types, 1u);
  EXPECT_EQ(s.n_scenarios, 1u);
  ASSERT_EQ(s.categorical.size(), 26u);
  ASSERT_EQ(s.dense.size(), 13u);
  EXPECT_EQ(s.dense[0], "I1");
  EXPECT_EQ(s.categorical[25], (CategoricalField{"C26", 1000}));
  EXPECT_FALSE(s.has_truth);
  EXPECT_EQ(ds.dictionaries().types, std::vector<std::string>{"all"});
  EXPECT_EQ(ds.dictionaries().scenarios, std::vector<std::string>{"all"});
  EXPECT_TRUE(ds.dictionaries().categorical.empty());

  const ColumnBlock b = read_all(ds);
  ASSERT_EQ(b.rows(), 6u);
  EXPECT_EQ(b.click, (std::vector<std::uint8_t>{1, 0, 0, 1, 0, 1}));
  EXPECT_EQ(b.conv, (std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0}));  // no conversion column
  EXPECT_EQ(b.type, (std::vector<std::uint16_t>(6, 0)));

  // Row 1: I1 is untransformed, I2 signed_log1p, I3.. log1p; hashed ids from stable_hash64.
  EXPECT_EQ(b.dense[0][0], 0.0f);
  EXPECT_EQ(b.dense[1][0], log1pf_(1));
  EXPECT_EQ(b.dense[12][0], log1pf_(12));
  EXPECT_EQ(b.categorical[0][0], expected_hash_id("000010a3", 1000, 7));  // C1 has seed 7
  EXPECT_NE(b.categorical[0][0], expected_hash_id("000010a3", 1000, 0));
  EXPECT_EQ(b.categorical[1][0], expected_hash_id("000020a3", 1000));
  EXPECT_EQ(b.categorical[25][0], expected_hash_id("0001a0a3", 1000));

  // Row 2: everything empty -> defaults (I1: -1 untransformed; log1p(0) = 0) and the missing id 0.
  EXPECT_EQ(b.dense[0][1], -1.0f);
  EXPECT_EQ(b.dense[1][1], 0.0f);
  EXPECT_EQ(b.dense[5][1], 0.0f);
  for (std::size_t f = 0; f < 26; ++f) EXPECT_EQ(b.categorical[f][1], 0u) << f;

  // Row 3: negative value under signed_log1p, a large one under log1p, empties and repeats.
  EXPECT_EQ(b.dense[0][2], 7.0f);
  EXPECT_EQ(b.dense[1][2], -log1pf_(5));
  EXPECT_EQ(b.dense[2][2], log1pf_(100000));
  EXPECT_EQ(b.categorical[0][2], expected_hash_id("68fd1e64", 1000, 7));
  EXPECT_EQ(b.categorical[1][2], 0u);
  EXPECT_EQ(b.categorical[2][2], expected_hash_id("80e26c9b", 1000));
  EXPECT_EQ(b.categorical[4][2], b.categorical[25][2]);  // same value, same vocabulary, no seed

  // Row 4: decimals and exponents; the last field empty (line ends with a tab).
  EXPECT_EQ(b.dense[0][3], -1.0f);
  EXPECT_EQ(b.dense[1][3], log1pf_(2.5));
  EXPECT_EQ(b.dense[2][3], log1pf_(1000));
  EXPECT_EQ(b.categorical[24][3], expected_hash_id("05db9164", 1000));
  EXPECT_EQ(b.categorical[25][3], 0u);

  // Row 6: signed_log1p(-1) and categorical fields empty from C14 on.
  EXPECT_EQ(b.dense[1][5], -log1pf_(1));
  EXPECT_EQ(b.categorical[12][5], expected_hash_id("be589b51", 1000));
  EXPECT_EQ(b.categorical[13][5], 0u);

  // Provenance records the inputs, the schema file and the counts.
  const auto& p = ds.provenance();
  EXPECT_EQ(p["tool"], "mmn ingest");
  EXPECT_EQ(p["rows_written"], 6);
  EXPECT_EQ(p["rows_skipped"], 0);
  ASSERT_EQ(p["inputs"].size(), 1u);
  EXPECT_EQ(p["inputs"][0]["path"], std::filesystem::path(fixture("criteo_small.tsv")).lexically_normal().string());
  EXPECT_EQ(p["inputs"][0]["rows_read"], 6);
  EXPECT_EQ(p["schema_file"], std::filesystem::path(fixture("criteo_schema.toml")).lexically_normal().string());
  EXPECT_EQ(p["columns"][1]["transform"], "none");
  EXPECT_EQ(p["columns"][14]["seed"], 7);
}

TEST(IngestFixtures, AliCcpStyleCsvWithHeaderQuotesAndCrlf) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema_file(fixture("aliccp_schema.toml"));
  IngestConfig config;
  config.out_dir = tmp / "ds";
  const IngestReport report = ingest(schema, {fixture("aliccp_small.csv")}, config);
  EXPECT_EQ(report.rows_read, 7u);
  EXPECT_EQ(report.rows_written, 7u);
  EXPECT_EQ(report.blank_lines, 1u);

  const Dataset ds = Dataset::open(tmp / "ds");
  const Schema& s = ds.schema();
  EXPECT_EQ(s.n_types, 3u);
  EXPECT_EQ(s.n_scenarios, 3u);
  ASSERT_EQ(s.categorical.size(), 3u);
  EXPECT_EQ(s.categorical[0], (CategoricalField{"user_id", 102}));
  EXPECT_EQ(s.categorical[1], (CategoricalField{"brand", 50}));
  EXPECT_EQ(s.categorical[2], (CategoricalField{"title", 5}));
  EXPECT_EQ(s.dense, (std::vector<std::string>{"price", "score"}));

  // Dictionaries in order of first appearance, saved with the data.
  const Dictionaries& d = ds.dictionaries();
  EXPECT_EQ(d.scenarios, (std::vector<std::string>{"home", "search", "feed"}));
  EXPECT_EQ(d.types, (std::vector<std::string>{"buy", "cart", "fav"}));
  EXPECT_EQ(d.categorical.at("user_id"), (std::vector<std::string>{"u100", "u200", "u300", "u400"}));
  EXPECT_EQ(d.categorical.at("title"), (std::vector<std::string>{"red shoes", "He said \"hi\"", "blue hat"}));
  EXPECT_EQ(d.categorical.count("brand"), 0u);

  const ColumnBlock b = read_all(ds);
  ASSERT_EQ(b.rows(), 7u);
  EXPECT_EQ(b.click, (std::vector<std::uint8_t>{1, 0, 1, 0, 1, 0, 1}));
  EXPECT_EQ(b.conv, (std::vector<std::uint8_t>{1, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(b.scenario, (std::vector<std::uint16_t>{0, 1, 0, 2, 1, 0, 2}));
  EXPECT_EQ(b.type, (std::vector<std::uint16_t>{0, 1, 0, 0, 2, 1, 2}));
  // Ids map back through the saved dictionaries.
  const std::vector<std::string> scenario_text = {"home", "search", "home", "feed", "search", "home", "feed"};
  for (std::size_t r = 0; r < 7; ++r) EXPECT_EQ(d.scenarios[b.scenario[r]], scenario_text[r]);
  // user_id: dictionary ids 2 + index; the empty field is the missing id 0.
  EXPECT_EQ(b.categorical[0], (std::vector<std::uint32_t>{2, 3, 2, 4, 0, 5, 3}));
  EXPECT_EQ(d.categorical.at("user_id")[b.categorical[0][3] - kFirstDictionaryId], "u300");
  // brand: hashed; quoted "Acme, Inc." keeps its comma; a quoted empty field is missing.
  EXPECT_EQ(b.categorical[1][0], expected_hash_id("Acme, Inc.", 50));
  EXPECT_EQ(b.categorical[1][1], expected_hash_id("Zeta", 50));
  EXPECT_EQ(b.categorical[1][2], 0u);
  EXPECT_EQ(b.categorical[1][3], expected_hash_id("Acme", 50));
  EXPECT_EQ(b.categorical[1][4], b.categorical[1][6]);  // Omega and "Omega"
  // title: max_size 3, so "green coat" and "pink bag" are out of vocabulary (id 1);
  // doubled quotes are unescaped, and the repeat maps to the same id.
  EXPECT_EQ(b.categorical[2], (std::vector<std::uint32_t>{2, 3, 4, 0, 1, 1, 3}));
  // price: log1p; score: none with default 0.5, spaces around " 2 " allowed.
  EXPECT_EQ(b.dense[0][0], log1pf_(19.99));
  EXPECT_EQ(b.dense[0][2], 0.0f);
  EXPECT_EQ(b.dense[0][3], log1pf_(120.5));
  EXPECT_EQ(b.dense[1], (std::vector<float>{0.5f, 0.5f, 1.25f, 2.0f, 3.0f, 0.0f, -1.0f}));
}

TEST(IngestFixtures, HeaderlessCsvOfLabelsAndSlots) {
  mmn::testing::TempDir tmp;
  const IngestSchema schema = parse_ingest_schema_file(fixture("slots_schema.toml"));
  IngestConfig config;
  config.out_dir = tmp / "ds";
  ingest(schema, {fixture("slots_headerless.csv")}, config);
  const Dataset ds = Dataset::open(tmp / "ds");
  EXPECT_EQ(ds.schema().n_scenarios, 3u);
  EXPECT_EQ(ds.dictionaries().scenarios, (std::vector<std::string>{"3", "1", "2"}));
  EXPECT_EQ(ds.dictionaries().types, std::vector<std::string>{"all"});
  EXPECT_EQ(ds.dictionaries().categorical.at("slot3"), (std::vector<std::string>{"7", "8", "9"}));
  const ColumnBlock b = read_all(ds);
  ASSERT_EQ(b.rows(), 5u);
  EXPECT_EQ(b.click, (std::vector<std::uint8_t>{1, 1, 0, 0, 1}));
  EXPECT_EQ(b.conv, (std::vector<std::uint8_t>{1, 0, 0, 0, 0}));
  EXPECT_EQ(b.scenario, (std::vector<std::uint16_t>{0, 1, 0, 2, 0}));
  // slot2 hashed into 100; slot3 a dictionary; slot4 empty in row 3.
  EXPECT_EQ(b.categorical[0][0], expected_hash_id("12", 100));
  EXPECT_EQ(b.categorical[0][2], expected_hash_id("13", 100));
  EXPECT_EQ(b.categorical[1], (std::vector<std::uint32_t>{2, 3, 2, 2, 4}));
  EXPECT_EQ(b.categorical[2][2], 0u);
  EXPECT_EQ(b.categorical[2][0], expected_hash_id("104", 100));
  // slot16 plain, slot17 log1p with default 0.
  EXPECT_EQ(b.dense[0], (std::vector<float>{4, 0, 12, 1, 2}));
  EXPECT_EQ(b.dense[1], (std::vector<float>{log1pf_(250), log1pf_(3), 0.0f, 0.0f, log1pf_(40)}));
}

}  // namespace
}  // namespace mmn::ingest
