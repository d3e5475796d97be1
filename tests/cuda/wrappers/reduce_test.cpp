// sum against std::accumulate: 64-bit integers (totals beyond 32 bits) and
// floats whose sums are exact, both exactly, and T{} for an empty input.
#include "mmn/wrappers/reduce.h"

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
T sum_on_device(const std::vector<T>& values) {
  DeviceBuffer<T> in(values), out(1);
  DeviceBuffer<std::byte> workspace(sum_workspace_bytes<T>(values.size()));
  sum(workspace.data(), workspace.size(), in.data(), out.data(), values.size(), nullptr);
  return out.download()[0];
}

TEST(Sum, EqualsStdAccumulateOn64BitIntegers) {
  std::mt19937_64 rng(8);
  for (std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{4096}, std::size_t{100001}}) {
    std::vector<std::uint64_t> values(n);
    for (auto& v : values) v = rng() % (std::uint64_t{1} << 40);  // the total passes 2^32
    EXPECT_EQ(sum_on_device(values), std::accumulate(values.begin(), values.end(), std::uint64_t{0})) << "n = " << n;
  }
}

TEST(Sum, EqualsStdAccumulateOnFloatsExactlyRepresentable) {
  // Multiples of 1/64 in [-1, 1): any partial sum of 77777 needs < 24 bits, so fp32 is exact
  // in whatever order the GPU adds.
  std::mt19937 rng(9);
  std::vector<float> values(77777);
  for (auto& v : values) v = static_cast<float>(static_cast<int>(rng() % 128) - 64) / 64.0f;
  EXPECT_EQ(sum_on_device(values), std::accumulate(values.begin(), values.end(), 0.0f));
}

TEST(Sum, OfNothingIsZero) { EXPECT_EQ(sum_on_device(std::vector<std::int32_t>{}), 0); }

}  // namespace
}  // namespace mmn::wrappers
