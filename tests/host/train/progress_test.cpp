// The training progress output: plain lines or a terminal bar.
#include "mmn/train/progress.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "testing/lines.h"

namespace mmn {
namespace {

using testing::lines_of;

TEST(Progress, PlainLinesEveryLogEverySteps) {
  std::ostringstream out;
  Progress p(10, out, false, 3);
  for (std::uint64_t s = 1; s <= 10; ++s) p.update(s, 12345.0, 0.5);
  p.finish();
  p.finish();
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 4u) << out.str();
  EXPECT_EQ(lines[0].rfind("step 3/10  12.3k samples/s  loss 0.50000  ETA ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[2].rfind("step 9/10", 0), 0u) << lines[2];
  EXPECT_EQ(lines[3], "step 10/10  12.3k samples/s  loss 0.50000  ETA 0s");
  EXPECT_EQ(out.str().find('\r'), std::string::npos);
}

TEST(Progress, TerminalBarIsRedrawnInPlaceAndThrottled) {
  std::ostringstream out;
  Progress p(1000, out, true, 50);
  for (std::uint64_t s = 1; s <= 1000; ++s) p.update(s, 2.5e6, 0.25);
  p.finish();
  const std::string text = out.str();
  const auto redraws = std::count(text.begin(), text.end(), '\r');
  EXPECT_GE(redraws, 2);
  EXPECT_LE(redraws, 8) << "not throttled";
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_EQ(text.back(), '\n');
  const std::string last = text.substr(text.rfind('\r') + 1);
  EXPECT_EQ(last, "[########################] 100% step 1000/1000  2.50M samples/s  loss 0.25000  ETA 0s\n");
}

TEST(Progress, FormatsDurationsAndRates) {
  EXPECT_EQ(Progress::format_duration(42.4), "42s");
  EXPECT_EQ(Progress::format_duration(185), "3m05s");
  EXPECT_EQ(Progress::format_duration(3720), "1h02m");
  EXPECT_EQ(Progress::format_duration(-1), "?");
  EXPECT_EQ(Progress::format_rate(950), "950");
  EXPECT_EQ(Progress::format_rate(12345), "12.3k");
  EXPECT_EQ(Progress::format_rate(4.56e6), "4.56M");
}

}  // namespace
}  // namespace mmn
