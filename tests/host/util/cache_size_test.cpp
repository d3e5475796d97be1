// l2_cache_bytes against the kernel's own description of the caches in sysfs.
#include "mmn/util/cache_size.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <string>

namespace mmn {
namespace {

// The L2 size sysfs gives for cpu0 ("2048K"), in bytes, or 0 where it gives none.
std::size_t l2_from_sysfs() {
  for (int index = 0; index < 8; ++index) {
    const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/";
    std::ifstream level_file(dir + "level"), size_file(dir + "size");
    int level = 0;
    std::string size;
    if (!(level_file >> level) || level != 2 || !(size_file >> size) || size.empty()) continue;
    std::size_t unit = 1;
    if (size.back() == 'K') unit = std::size_t{1} << 10;
    if (size.back() == 'M') unit = std::size_t{1} << 20;
    return std::stoul(size) * unit;
  }
  return 0;
}

TEST(CacheSize, L2IsWhatTheKernelReports) {
  const std::size_t expected = l2_from_sysfs();
  if (expected == 0) GTEST_SKIP() << "no L2 described in /sys/devices/system/cpu/cpu0/cache";
  EXPECT_EQ(l2_cache_bytes(), expected);
}

TEST(CacheSize, IsTheSameOnEveryCall) {
  const std::size_t first = l2_cache_bytes();
  EXPECT_GE(first, std::size_t{64} << 10);
  EXPECT_EQ(l2_cache_bytes(), first);
}

}  // namespace
}  // namespace mmn
