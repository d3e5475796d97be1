// exclusive_sum against std::exclusive_scan: integers exactly (including in place and an
// empty input), floats to rounding.
#include "mmn/wrappers/scan.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "mmn/device/device_buffer.h"

namespace mmn::wrappers {
namespace {

template <typename T>
std::vector<T> scan_on_device(const std::vector<T>& values, bool in_place) {
  DeviceBuffer<T> in(values), out(values.size());
  DeviceBuffer<std::byte> workspace(exclusive_sum_workspace_bytes<T>(values.size()));
  exclusive_sum(workspace.data(), workspace.size(), in.data(), in_place ? in.data() : out.data(), values.size(),
                nullptr);
  return in_place ? in.download() : out.download();
}

TEST(ExclusiveSum, EqualsStdExclusiveScanOnIntegers) {
  std::mt19937 rng(3);
  for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{1024}, std::size_t{65537}}) {
    std::vector<std::uint32_t> values(n);
    for (auto& v : values) v = rng() % 1000;
    std::vector<std::uint32_t> want(n);
    std::exclusive_scan(values.begin(), values.end(), want.begin(), 0u);
    EXPECT_EQ(scan_on_device(values, false), want) << "n = " << n;
    EXPECT_EQ(scan_on_device(values, true), want) << "in place, n = " << n;
    EXPECT_EQ(scan_on_device(values, false)[0], 0u);
  }
}

TEST(ExclusiveSum, EqualsStdExclusiveScanOnFloatsExactlyRepresentable) {
  // Multiples of 1/64 below 1: every partial sum of 50000 needs < 22 bits, so fp32 is exact
  // in any order of additions and the GPU's result must equal the sequential one.
  std::mt19937 rng(4);
  std::vector<float> values(50000);
  for (auto& v : values) v = static_cast<float>(rng() % 64) / 64.0f;
  std::vector<float> want(values.size());
  std::exclusive_scan(values.begin(), values.end(), want.begin(), 0.0f);
  EXPECT_EQ(scan_on_device(values, false), want);
}

TEST(ExclusiveSum, AnEmptyInputIsNoWork) { EXPECT_TRUE(scan_on_device(std::vector<std::uint32_t>{}, false).empty()); }

}  // namespace
}  // namespace mmn::wrappers
