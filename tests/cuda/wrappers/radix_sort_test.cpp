// sort_pairs against std::stable_sort: keys with many repeats (so stability shows in the
// values, which are the original positions), 32- and 64-bit keys, sorting on a bit range,
// sizes around the emulator's and CUB's tile edges, and the workspace and argument checks.
#include "mmn/wrappers/radix_sort.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

#include "mmn/device/device_buffer.h"

namespace mmn::wrappers {
namespace {

template <typename Key>
struct Sorted {
  std::vector<Key> keys;
  std::vector<std::uint32_t> values;
};

template <typename Key>
Sorted<Key> sort_on_device(const std::vector<Key>& keys, int begin_bit, int end_bit) {
  std::vector<std::uint32_t> positions(keys.size());
  std::iota(positions.begin(), positions.end(), 0u);
  DeviceBuffer<Key> keys_in(keys), keys_out(keys.size());
  DeviceBuffer<std::uint32_t> values_in(positions), values_out(keys.size());
  DeviceBuffer<std::byte> workspace(sort_pairs_workspace_bytes<Key, std::uint32_t>(keys.size()));
  sort_pairs(workspace.data(), workspace.size(), keys_in.data(), keys_out.data(), values_in.data(), values_out.data(),
             keys.size(), nullptr, begin_bit, end_bit);
  return {keys_out.download(), values_out.download()};
}

template <typename Key>
Sorted<Key> sort_on_host(const std::vector<Key>& keys, int begin_bit, int end_bit) {
  const int width = end_bit - begin_bit;
  const Key mask = width == static_cast<int>(sizeof(Key) * 8) ? static_cast<Key>(~Key{0}) : static_cast<Key>((Key{1} << width) - 1);
  std::vector<std::uint32_t> order(keys.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return ((keys[a] >> begin_bit) & mask) < ((keys[b] >> begin_bit) & mask);
  });
  Sorted<Key> s;
  for (std::uint32_t i : order) {
    s.keys.push_back(keys[i]);
    s.values.push_back(i);
  }
  return s;
}

template <typename Key>
std::vector<Key> random_keys(std::size_t n, Key distinct, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Key> keys(n);
  for (Key& k : keys) k = static_cast<Key>(rng() % distinct) * static_cast<Key>(0x9e3779b1u) ^ static_cast<Key>(rng() & 0x3);
  return keys;
}

TEST(SortPairs, EqualsAStableSortOf32BitKeys) {
  for (std::size_t n : {std::size_t{1}, std::size_t{2}, std::size_t{255}, std::size_t{4097}, std::size_t{100003}}) {
    const auto keys = random_keys<std::uint32_t>(n, 97, static_cast<std::uint32_t>(n));
    const auto got = sort_on_device(keys, 0, 32);
    const auto want = sort_on_host(keys, 0, 32);
    EXPECT_EQ(got.keys, want.keys) << "n = " << n;
    EXPECT_EQ(got.values, want.values) << "n = " << n << ": not stable, or values not carried with their keys";
  }
}

TEST(SortPairs, EqualsAStableSortOf64BitKeys) {
  const auto keys = random_keys<std::uint64_t>(30011, 1000, 5);
  const auto got = sort_on_device(keys, 0, 64);
  const auto want = sort_on_host(keys, 0, 64);
  EXPECT_EQ(got.keys, want.keys);
  EXPECT_EQ(got.values, want.values);
}

TEST(SortPairs, SortsOnlyByTheGivenBitsAndKeepsTheOthersInOrder) {
  // Bits [4, 12): keys equal there keep their input order, whatever their other bits.
  const auto keys = random_keys<std::uint32_t>(20000, 5000, 11);
  const auto got = sort_on_device(keys, 4, 12);
  const auto want = sort_on_host(keys, 4, 12);
  EXPECT_EQ(got.keys, want.keys);
  EXPECT_EQ(got.values, want.values);
  EXPECT_NE(got.keys, sort_on_host(keys, 0, 32).keys);  // the range matters for these keys
}

TEST(SortPairs, AnEmptyInputIsNoWork) {
  const auto got = sort_on_device(std::vector<std::uint32_t>{}, 0, 32);
  EXPECT_TRUE(got.keys.empty());
}

TEST(SortPairs, RefusesASmallWorkspaceABadBitRangeAndInPlaceArrays) {
  const std::size_t n = 1000;
  DeviceBuffer<std::uint32_t> keys(n), keys_out(n), values(n), values_out(n);
  const std::size_t needed = sort_pairs_workspace_bytes<std::uint32_t, std::uint32_t>(n);
  ASSERT_GT(needed, 0u);
  DeviceBuffer<std::byte> small(needed - 1), enough(needed);
  EXPECT_THROW(sort_pairs(small.data(), small.size(), keys.data(), keys_out.data(), values.data(), values_out.data(), n,
                          nullptr),
               std::invalid_argument);
  EXPECT_THROW(sort_pairs(enough.data(), enough.size(), keys.data(), keys_out.data(), values.data(), values_out.data(),
                          n, nullptr, 8, 8),
               std::invalid_argument);
  EXPECT_THROW(sort_pairs(enough.data(), enough.size(), keys.data(), keys_out.data(), values.data(), values_out.data(),
                          n, nullptr, 0, 33),
               std::invalid_argument);
  EXPECT_THROW(sort_pairs(enough.data(), enough.size(), keys.data(), keys.data(), values.data(), values_out.data(), n,
                          nullptr),
               std::invalid_argument);
  try {
    sort_pairs(small.data(), small.size(), keys.data(), keys_out.data(), values.data(), values_out.data(), n, nullptr);
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sort_pairs: workspace of " + std::to_string(needed - 1) + " bytes"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace mmn::wrappers
