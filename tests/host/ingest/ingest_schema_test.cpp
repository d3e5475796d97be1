#include "mmn/ingest/ingest_schema.h"

#include <gtest/gtest.h>

#include "host/ingest/ingest_test_util.h"
#include "testing/temp_dir.h"

namespace mmn::ingest {
namespace {

using testing::error_of;

constexpr const char* kGood = R"(# comment
[input]
delimiter = "tab"
header = true

[[column]]
name = "c"
role = "click"

[[column]]
name = "v"
role = "conversion"

[[column]]
name = "t"
role = "type"
values = ["buy", "cart"]

[[column]]
name = "s"
role = "scenario"

[[column]]
name = "h"
role = "categorical"
encoding = "hash"
vocab_size = 1000
seed = 3

[[column]]
name = "d"
role = "categorical"
encoding = "dictionary"
max_size = 50

[[column]]
name = "x"
role = "numeric"
transform = "signed_log1p"
default = 2.5

[[column]]
name = "skip me"
role = "ignore"

[[column]]
name = "pc"
role = "p_ctr"

[[column]]
name = "pv"
role = "p_cvr"
)";

TEST(IngestSchema, ParsesEveryRoleAndOption) {
  const IngestSchema s = parse_ingest_schema(kGood, "s.toml");
  EXPECT_EQ(s.delimiter, '\t');
  EXPECT_TRUE(s.header);
  EXPECT_TRUE(s.quoting);
  ASSERT_EQ(s.columns.size(), 10u);
  EXPECT_EQ(s.columns[0].role, Role::click);
  EXPECT_EQ(s.columns[0].line, 6u);  // its [[column]] line
  EXPECT_EQ(s.columns[2].values, (std::vector<std::string>{"buy", "cart"}));
  EXPECT_EQ(s.columns[4].encoding, Encoding::hash);
  EXPECT_EQ(s.columns[4].vocab_size, 1000u);
  EXPECT_EQ(s.columns[4].seed, 3u);
  EXPECT_EQ(s.columns[5].encoding, Encoding::dictionary);
  EXPECT_EQ(s.columns[5].max_size, 50u);
  EXPECT_EQ(s.columns[5].vocab_size, 52u);  // + missing and out-of-vocabulary ids
  EXPECT_EQ(s.columns[6].transform, Transform::signed_log1p);
  EXPECT_EQ(s.columns[6].default_value, 2.5);
  EXPECT_EQ(s.columns[7].role, Role::ignore);
  EXPECT_EQ(s.find(Role::p_cvr), 9);

  const Schema d = s.data_schema();
  EXPECT_EQ(d.n_types, 2u);  // fixed by values
  EXPECT_EQ(d.n_scenarios, 1u);
  ASSERT_EQ(d.categorical.size(), 2u);
  EXPECT_EQ(d.categorical[0], (CategoricalField{"h", 1000}));
  EXPECT_EQ(d.categorical[1], (CategoricalField{"d", 52}));
  EXPECT_EQ(d.dense, std::vector<std::string>{"x"});
  EXPECT_TRUE(d.has_truth);
}

TEST(IngestSchema, DelimiterSpellings) {
  const std::string cols = "\n[[column]]\nname = \"c\"\nrole = \"click\"\n";
  EXPECT_EQ(parse_ingest_schema("[input]\ndelimiter = \",\"" + cols, "s").delimiter, ',');
  EXPECT_EQ(parse_ingest_schema("[input]\ndelimiter = \"\\t\"" + cols, "s").delimiter, '\t');
  EXPECT_EQ(parse_ingest_schema("[input]\ndelimiter = \"tab\"" + cols, "s").delimiter, '\t');
  EXPECT_EQ(parse_ingest_schema("[input]\ndelimiter = \";\"" + cols, "s").delimiter, ';');
  EXPECT_NE(error_of([&] { parse_ingest_schema("[input]\ndelimiter = \",,\"" + cols, "s"); }).find("s:2: delimiter"),
            std::string::npos);
  EXPECT_NE(error_of([&] { parse_ingest_schema("[input]\ndelimiter = '\"'" + cols, "s"); }).find("delimiter"),
            std::string::npos);
}

TEST(IngestSchema, UnknownKeysAreNamedWithFileAndLine) {
  std::string text = kGood;
  text.replace(text.find("seed = 3"), 8, "sed = 3");
  std::string msg = error_of([&] { parse_ingest_schema(text, "my/schema.toml"); });
  EXPECT_NE(msg.find("my/schema.toml:28: unknown key 'sed' in column 'h'"), std::string::npos) << msg;

  msg = error_of([&] { parse_ingest_schema("[input]\ndelimiter = \",\"\nheadr = true\n", "x.toml"); });
  EXPECT_NE(msg.find("x.toml:3: unknown key 'headr' in [input]"), std::string::npos) << msg;

  msg = error_of([&] { parse_ingest_schema("colums = 3\n", "x.toml"); });
  EXPECT_NE(msg.find("x.toml:1: unknown key 'colums'"), std::string::npos) << msg;

  // A key that exists, but not for this role.
  msg = error_of(
      [&] { parse_ingest_schema("[[column]]\nname = \"c\"\nrole = \"click\"\ntransform = \"log1p\"\n", "x.toml"); });
  EXPECT_NE(msg.find("x.toml:4: unknown key 'transform' in column 'c' (role click takes: name, role)"),
            std::string::npos)
      << msg;
}

TEST(IngestSchema, SchemaFileErrorsNameThePath) {
  mmn::testing::TempDir tmp;
  testing::write_file(tmp / "s.toml", "[[column]]\nname = \"c\"\nrole = \"clik\"\n");
  std::string msg = error_of([&] { parse_ingest_schema_file(tmp / "s.toml"); });
  EXPECT_NE(msg.find(tmp / "s.toml:3: column 'c' has unknown role 'clik'"), std::string::npos) << msg;
  msg = error_of([&] { parse_ingest_schema_file(tmp / "missing.toml"); });
  EXPECT_NE(msg.find("missing.toml: cannot read the schema file: no such file"), std::string::npos) << msg;
  testing::write_file(tmp / "bad.toml", "[input\n");
  msg = error_of([&] { parse_ingest_schema_file(tmp / "bad.toml"); });
  EXPECT_NE(msg.find(tmp / "bad.toml:1:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not valid TOML"), std::string::npos) << msg;
}

TEST(IngestSchema, InconsistentSchemasAreRejected) {
  auto msg = [](const std::string& text) { return error_of([&] { parse_ingest_schema(text, "s"); }); };
  const std::string click = "[[column]]\nname = \"c\"\nrole = \"click\"\n";
  EXPECT_NE(msg("[input]\nheader = true\n").find("no columns"), std::string::npos);
  EXPECT_NE(msg("[[column]]\nname = \"x\"\nrole = \"numeric\"\n").find("no column has role \"click\""),
            std::string::npos);
  EXPECT_NE(msg(click + click).find("column name 'c' appears twice"), std::string::npos);
  EXPECT_NE(msg(click + "[[column]]\nname = \"d\"\nrole = \"click\"\n").find("second column with role click"),
            std::string::npos);
  EXPECT_NE(msg(click + "[[column]]\nname = \"p\"\nrole = \"p_ctr\"\n").find("both a p_ctr and a p_cvr"),
            std::string::npos);
  EXPECT_NE(
      msg(click + "[[column]]\nname = \"h\"\nrole = \"categorical\"\nencoding = \"hash\"\n").find("needs vocab_size"),
      std::string::npos);
  EXPECT_NE(msg(click + "[[column]]\nname = \"h\"\nrole = \"categorical\"\nencoding = \"hash\"\nvocab_size = 1\n")
                .find("'vocab_size' is 1, must be in [2, 4294967296]"),
            std::string::npos);
  EXPECT_NE(msg(click + "[[column]]\nname = \"h\"\nrole = \"categorical\"\n").find("needs encoding"),
            std::string::npos);
  EXPECT_NE(msg(click + "[[column]]\nname = \"d\"\nrole = \"categorical\"\nencoding = \"dictionary\"\n")
                .find("needs max_size"),
            std::string::npos);
  EXPECT_NE(msg(click + "[[column]]\nname = \"d\"\nrole = \"categorical\"\nencoding = \"dictionary\"\n"
                        "max_size = 1\nvalues = [\"a\", \"b\"]\n")
                .find("more than max_size 1"),
            std::string::npos);
  EXPECT_NE(msg(click + "[[column]]\nname = \"t\"\nrole = \"type\"\nvalues = [\"a\", \"a\"]\n").find("'a' twice"),
            std::string::npos);
  EXPECT_NE(msg(click + "[[column]]\nname = \"x\"\nrole = \"numeric\"\ntransform = \"sqrt\"\n")
                .find("transform 'sqrt' is not known"),
            std::string::npos);
  EXPECT_NE(msg(click + "[[column]]\nname = \"x\"\nrole = \"numeric\"\ntransform = \"log1p\"\ndefault = -1\n")
                .find("gives no finite value"),
            std::string::npos);
  EXPECT_NE(msg(click + "[[column]]\nname = \"\"\nrole = \"numeric\"\n").find("name is empty"), std::string::npos);
}

TEST(IngestSchema, FixedDictionaryWithoutMaxSizeIsItsOwnSize) {
  const IngestSchema s = parse_ingest_schema(
      "[[column]]\nname = \"c\"\nrole = \"click\"\n[[column]]\nname = \"d\"\nrole = \"categorical\"\n"
      "encoding = \"dictionary\"\nvalues = [\"a\", \"b\", \"c\"]\n",
      "s");
  EXPECT_EQ(s.columns[1].max_size, 3u);
  EXPECT_EQ(s.columns[1].vocab_size, 5u);
}

}  // namespace
}  // namespace mmn::ingest
