#include "mmn/data/summary.h"

#include <gtest/gtest.h>

#include "testing/random_block.h"

namespace mmn {
namespace {

TEST(DataSummary, CountsPerDomainMatchAHandCount) {
  const Schema schema = testing::small_schema();
  const ColumnBlock b = testing::random_block(schema, 500, 21);
  DataSummary s(schema.n_types, schema.n_scenarios);
  s.add(view_of(b).slice(0, 200));
  DataSummary rest(schema.n_types, schema.n_scenarios);
  rest.add(view_of(b).slice(200, 500));
  s += rest;
  std::uint64_t rows_t1 = 0, clicks_s2 = 0, conv_13 = 0, total_conv = 0;
  for (std::size_t i = 0; i < 500; ++i) {
    rows_t1 += b.type[i] == 1;
    clicks_s2 += b.scenario[i] == 2 ? b.click[i] : 0;
    conv_13 += (b.type[i] == 1 && b.scenario[i] == 3) ? b.conv[i] : 0;
    total_conv += b.conv[i];
  }
  EXPECT_EQ(s.total().rows, 500u);
  EXPECT_EQ(s.total().conversions, total_conv);
  EXPECT_EQ(s.type_total(1).rows, rows_t1);
  EXPECT_EQ(s.scenario_total(2).clicks, clicks_s2);
  EXPECT_EQ(s.domains[1 * 4 + 3].conversions, conv_13);
  EXPECT_EQ(s.domains_present(), 12u);
  const std::string text = format_summary(s, {});
  EXPECT_NE(text.find("rows 500"), std::string::npos) << text;
  EXPECT_NE(text.find("domains present 12 of 12"), std::string::npos) << text;
}

}  // namespace
}  // namespace mmn
