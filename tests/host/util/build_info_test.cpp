#include "mmn/util/build_info.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>

namespace mmn {
namespace {

TEST(BuildInfo, CommitComesFromTheEnvironmentFirst) {
  ASSERT_EQ(setenv("MMN_GIT_COMMIT", "0123abcd", 1), 0);
  EXPECT_EQ(git_commit(), "0123abcd");
  ASSERT_EQ(unsetenv("MMN_GIT_COMMIT"), 0);
  const std::string configured = git_commit();
  // Built from a git checkout: the 40-digit commit; elsewhere "unknown".
  const bool hex = configured.size() == 40 && std::all_of(configured.begin(), configured.end(),
                                                             [](unsigned char c) { return std::isxdigit(c); });
  EXPECT_TRUE(hex || configured == "unknown") << configured;
}

TEST(BuildInfo, NamesTheMachine) {
  EXPECT_FALSE(cpu_model().empty());
  EXPECT_NE(cpu_model().find_first_not_of(' '), std::string::npos);
  EXPECT_FALSE(host_name().empty());
}

}  // namespace
}  // namespace mmn
