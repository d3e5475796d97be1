#include "mmn/ingest/csv_splitter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "mmn/ingest/dictionary.h"
#include "mmn/ingest/value_parsers.h"

namespace mmn::ingest {
namespace {

std::vector<std::string> split(std::string_view line, char delim = ',', SplitError expect = SplitError::none) {
  std::vector<Field> fields;
  const SplitResult r = split_line(line, delim, true, fields, 100);
  EXPECT_EQ(r.error, expect) << line;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < r.fields && expect == SplitError::none; ++i)
    out.push_back(fields[i].escaped ? unescape(fields[i].text) : std::string(fields[i].text));
  return out;
}

using V = std::vector<std::string>;

TEST(CsvSplitter, PlainQuotedAndEmptyFields) {
  EXPECT_EQ(split("a,b,c"), (V{"a", "b", "c"}));
  EXPECT_EQ(split("a,,c,"), (V{"a", "", "c", ""}));
  EXPECT_EQ(split(","), (V{"", ""}));
  EXPECT_EQ(split("\"a,b\",c"), (V{"a,b", "c"}));
  EXPECT_EQ(split("\"\",x"), (V{"", "x"}));
  EXPECT_EQ(split("\"He said \"\"hi\"\"\",2"), (V{"He said \"hi\"", "2"}));
  EXPECT_EQ(split("\"\"\"\""), (V{"\""}));
  EXPECT_EQ(split("ab\"c,d"), (V{"ab\"c", "d"}));  // a quote inside an unquoted field is literal
  EXPECT_EQ(split("a\tb\t\"c\td\"", '\t'), (V{"a", "b", "c\td"}));
}

TEST(CsvSplitter, QuoteErrorsNameTheField) {
  std::vector<Field> fields;
  SplitResult r = split_line("a,\"open,c", ',', true, fields, 10);
  EXPECT_EQ(r.error, SplitError::open_quote);
  EXPECT_EQ(r.error_field, 1u);
  r = split_line("a,b,\"x\"y,c", ',', true, fields, 10);
  EXPECT_EQ(r.error, SplitError::text_after_quote);
  EXPECT_EQ(r.error_field, 2u);
  // Quoting off: quotes are ordinary characters.
  r = split_line("\"a,b\"", ',', false, fields, 10);
  EXPECT_EQ(r.error, SplitError::none);
  EXPECT_EQ(r.fields, 2u);
  EXPECT_EQ(fields[0].text, "\"a");
}

TEST(CsvSplitter, CountsFieldsBeyondWhatItStores) {
  std::vector<Field> fields;
  const std::string line(100000, ',');
  const SplitResult r = split_line(line, ',', true, fields, 3);
  EXPECT_EQ(r.fields, 100001u);
  EXPECT_LE(fields.size(), 3u);
}

TEST(CsvSplitter, PrintableEscapesControlBytesAndTruncates) {
  EXPECT_EQ(printable("abc"), "'abc'");
  EXPECT_EQ(printable(std::string("a\0b\x1b", 4)), "'a\\x00b\\x1b'");
  EXPECT_EQ(printable(std::string(50, 'x')), "'" + std::string(40, 'x') + "...' (50 bytes)");
}

TEST(ValueParsers, Labels) {
  EXPECT_EQ(parse_label("0"), 0);
  EXPECT_EQ(parse_label("1"), 1);
  EXPECT_EQ(parse_label(" 1 "), 1);
  EXPECT_EQ(parse_label("2"), -1);
  EXPECT_EQ(parse_label(""), -1);
  EXPECT_EQ(parse_label("1.0"), -1);
  EXPECT_EQ(parse_label("yes"), -1);
}

TEST(ValueParsers, Numbers) {
  double x = 0;
  EXPECT_TRUE(parse_number("42", x));
  EXPECT_EQ(x, 42.0);
  EXPECT_TRUE(parse_number("-7", x));
  EXPECT_EQ(x, -7.0);
  EXPECT_TRUE(parse_number("2.5", x));
  EXPECT_EQ(x, 2.5);
  EXPECT_TRUE(parse_number("+1e3", x));
  EXPECT_EQ(x, 1000.0);
  EXPECT_TRUE(parse_number(" 3 ", x));
  EXPECT_EQ(x, 3.0);
  EXPECT_TRUE(parse_number("12345678901234567890", x));  // beyond the integer fast path
  EXPECT_EQ(x, 12345678901234567890.0);
  EXPECT_TRUE(parse_number("-0.125", x));
  EXPECT_EQ(x, -0.125);
  for (const char* bad : {"", "abc", "1x", "nan", "NaN", "inf", "-inf", "Infinity", "1e999", "+-1", "++1", "-", "+",
                          "0x10", "1,5", "1 2"})
    EXPECT_FALSE(parse_number(bad, x)) << bad;
}

TEST(ValueParsers, TransformsAndDefaults) {
  ColumnSpec c;
  c.role = Role::numeric;
  c.transform = Transform::log1p;
  c.default_value = 3;
  float f = 0;
  std::string why;
  ASSERT_TRUE(parse_numeric_field(c, "9", f, why));
  EXPECT_EQ(f, static_cast<float>(std::log1p(9.0)));
  ASSERT_TRUE(parse_numeric_field(c, "9999", f, why));  // beyond the lookup table
  EXPECT_EQ(f, static_cast<float>(std::log1p(9999.0)));
  ASSERT_TRUE(parse_numeric_field(c, "0.5", f, why));
  EXPECT_EQ(f, static_cast<float>(std::log1p(0.5)));
  ASSERT_TRUE(parse_numeric_field(c, "", f, why));  // the default, transformed
  EXPECT_EQ(f, static_cast<float>(std::log1p(3.0)));
  EXPECT_FALSE(parse_numeric_field(c, "-1", f, why));
  EXPECT_NE(why.find("log1p is undefined"), std::string::npos);
  EXPECT_FALSE(parse_numeric_field(c, "-5", f, why));
  c.transform = Transform::signed_log1p;
  ASSERT_TRUE(parse_numeric_field(c, "-5", f, why));
  EXPECT_EQ(f, static_cast<float>(-std::log1p(5.0)));
  ASSERT_TRUE(parse_numeric_field(c, "-5000.5", f, why));
  EXPECT_EQ(f, static_cast<float>(-std::log1p(5000.5)));
  c.transform = Transform::none;
  ASSERT_TRUE(parse_numeric_field(c, "-5", f, why));
  EXPECT_EQ(f, -5.0f);
  EXPECT_FALSE(parse_numeric_field(c, "1e300", f, why));  // finite double, not a finite float
  EXPECT_NE(why.find("32-bit float"), std::string::npos);
  EXPECT_FALSE(parse_numeric_field(c, "nan", f, why));
  EXPECT_NE(why.find("not a finite number"), std::string::npos);
}

TEST(ValueParsers, Probabilities) {
  float p = 0;
  EXPECT_TRUE(parse_probability("0", p));
  EXPECT_TRUE(parse_probability("1", p));
  EXPECT_TRUE(parse_probability("0.25", p));
  EXPECT_EQ(p, 0.25f);
  EXPECT_FALSE(parse_probability("1.0001", p));
  EXPECT_FALSE(parse_probability("-0.1", p));
  EXPECT_FALSE(parse_probability("", p));
  EXPECT_FALSE(parse_probability("nan", p));
}

TEST(ValueParsers, Utf8) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("caf\xC3\xA9 \xE6\x89\x8B\xE6\x9C\xBA \xF0\x9F\x98\x80"));
  EXPECT_FALSE(is_valid_utf8("caf\xE9"));           // Latin-1
  EXPECT_FALSE(is_valid_utf8("\xC3"));              // cut short
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}

TEST(ValueParsers, HashedIdsStayInRangeAndAvoidTheMissingId) {
  for (std::uint64_t h : {std::uint64_t{0}, std::uint64_t{1}, std::numeric_limits<std::uint64_t>::max()}) {
    EXPECT_GE(hashed_id(h, 2), 1u);
    EXPECT_LT(hashed_id(h, 2), 2u);
    EXPECT_GE(hashed_id(h, 1000), 1u);
    EXPECT_LT(hashed_id(h, 1000), 1000u);
    EXPECT_LT(hashed_id(h, std::uint64_t{1} << 32), std::uint64_t{1} << 32);
  }
  EXPECT_EQ(hashed_id(std::numeric_limits<std::uint64_t>::max(), 1000), 999u);
  EXPECT_EQ(hashed_id(0, 1000), 1u);
}

TEST(Dictionary, GrowsInFirstAppearanceOrderUpToItsCap) {
  Dictionary d(2);
  EXPECT_EQ(d.find_or_add("b"), 0);
  EXPECT_EQ(d.find_or_add("a"), 1);
  EXPECT_EQ(d.find_or_add("b"), 0);
  EXPECT_EQ(d.find_or_add("c"), Dictionary::kAbsent);  // full
  EXPECT_EQ(d.values(), (std::vector<std::string>{"b", "a"}));
  Dictionary moved = std::move(d);
  EXPECT_EQ(moved.find("a"), 1);  // views survive the move
  const Dictionary fixed = Dictionary::fixed_to({"x", "y"});
  EXPECT_TRUE(fixed.fixed());
  EXPECT_EQ(fixed.find("y"), 1);
  EXPECT_EQ(fixed.find("z"), Dictionary::kAbsent);
}

}  // namespace
}  // namespace mmn::ingest
