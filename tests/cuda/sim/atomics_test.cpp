// Each atomic on each of its CUDA types: the final value and the old values returned.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <vector>

#include "cuda/sim/atomic_kernels.h"
#include "mmn/device/device_buffer.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn::sim_test {
namespace {

constexpr unsigned kBlocks = 3, kThreads = 64, kCount = kBlocks * kThreads;

template <typename T>
void check_add(T start, T step) {
  DeviceBuffer<T> total(std::vector<T>{start}), olds(kCount);
  MMN_LAUNCH(atomic_add_all<T>, dim3(kBlocks), dim3(kThreads), 0, nullptr, total.data(), step, olds.data());
  EXPECT_EQ(total.download()[0], static_cast<T>(start + static_cast<T>(kCount) * step));
  // The old values each thread saw are start, start + step, ... in some order.
  std::vector<T> seen = olds.download();
  std::sort(seen.begin(), seen.end());
  for (unsigned i = 0; i < kCount; ++i) ASSERT_EQ(seen[i], static_cast<T>(start + static_cast<T>(i) * step)) << i;
}

TEST(SimAtomics, AddOnEveryType) {
  check_add<int>(-50, 3);
  check_add<unsigned>(7u, 2u);
  check_add<unsigned long long>(1ull << 40, (1ull << 33) + 1);
  check_add<float>(0.5f, 0.25f);  // exact in binary: the order of additions does not matter
  check_add<double>(-1.0, 0.125);
}

template <typename T>
std::vector<T> sample_values() {
  std::vector<T> v(kCount);
  for (unsigned i = 0; i < kCount; ++i) v[i] = static_cast<T>((i * 7919u) % 1000u + 3u);
  return v;
}

template <typename T>
void check_folds(std::vector<T> values) {
  const T ones = static_cast<T>(~T(0));
  std::vector<T> cells = {std::numeric_limits<T>::max(), std::numeric_limits<T>::min(), ones, T(0), T(0)};
  DeviceBuffer<T> d_values(values), d_cells(cells);
  MMN_LAUNCH(atomic_folds<T>, dim3(kBlocks), dim3(kThreads), 0, nullptr, d_values.data(), d_cells.data());
  const std::vector<T> got = d_cells.download();
  T all = ones, any = 0, parity = 0;
  for (T v : values) {
    all &= v;
    any |= v;
    parity ^= v;
  }
  EXPECT_EQ(got[0], *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(got[1], *std::max_element(values.begin(), values.end()));
  EXPECT_EQ(got[2], all);
  EXPECT_EQ(got[3], any);
  EXPECT_EQ(got[4], parity);
}

TEST(SimAtomics, MinMaxAndOrXorOnIntegerTypes) {
  std::vector<int> signed_values = sample_values<int>();
  signed_values[17] = -12345;  // min must compare as signed
  check_folds(signed_values);
  std::vector<unsigned> unsigned_values = sample_values<unsigned>();
  unsigned_values[5] = 0x80000000u;  // max must compare as unsigned
  check_folds(unsigned_values);
  std::vector<unsigned long long> wide_values = sample_values<unsigned long long>();
  wide_values[9] = 1ull << 50;
  check_folds(wide_values);
}

TEST(SimAtomics, SubOnIntAndUnsigned) {
  const std::vector<int> values = sample_values<int>();
  DeviceBuffer<int> d_values(values), total(std::vector<int>{1000000});
  MMN_LAUNCH(atomic_sub_all<int>, dim3(kBlocks), dim3(kThreads), 0, nullptr, d_values.data(), total.data());
  EXPECT_EQ(total.download()[0], 1000000 - std::accumulate(values.begin(), values.end(), 0));
  const std::vector<unsigned> small = std::vector<unsigned>(kCount, 1u);
  DeviceBuffer<unsigned> d_small(small), wraps(std::vector<unsigned>{5u});
  MMN_LAUNCH(atomic_sub_all<unsigned>, dim3(kBlocks), dim3(kThreads), 0, nullptr, d_small.data(), wraps.data());
  EXPECT_EQ(wraps.download()[0], 5u - kCount);
}

template <typename T>
void check_claim() {
  auto runs = sim::run_in_all_orders([] {
    DeviceBuffer<T> slot(std::vector<T>{T(0)});
    DeviceBuffer<int> won(kCount);
    MMN_LAUNCH(atomic_claim<T>, dim3(kBlocks), dim3(kThreads), 0, nullptr, slot.data(), won.data());
    return std::make_pair(slot.download()[0], won.download());
  });
  for (const auto& [slot, won] : runs.results) {
    ASSERT_EQ(std::count(won.begin(), won.end(), 1), 1);
    const auto winner = static_cast<std::size_t>(std::find(won.begin(), won.end(), 1) - won.begin());
    EXPECT_EQ(slot, static_cast<T>(winner + 1));
  }
  // The first thread to run wins: block 0 thread 0 forward, the last block's last thread in reverse.
  EXPECT_EQ(runs.results[0].first, T(1));
  EXPECT_EQ(runs.results[1].first, static_cast<T>(kCount));
}

TEST(SimAtomics, CompareAndSwapLetsExactlyOneThreadClaim) {
  check_claim<int>();
  check_claim<unsigned>();
  check_claim<unsigned long long>();
  check_claim<unsigned short>();
}

template <typename T>
void check_exchange() {
  DeviceBuffer<T> cell(std::vector<T>{T(0)}), taken(kCount);
  MMN_LAUNCH(atomic_exchange_chain<T>, dim3(kBlocks), dim3(kThreads), 0, nullptr, cell.data(), taken.data());
  // What was taken out plus what is left is everything put in plus the initial 0.
  std::vector<T> all = taken.download();
  all.push_back(cell.download()[0]);
  std::sort(all.begin(), all.end());
  for (unsigned i = 0; i <= kCount; ++i) ASSERT_EQ(all[i], static_cast<T>(i)) << i;
}

TEST(SimAtomics, ExchangeHandsOnEveryValue) {
  check_exchange<int>();
  check_exchange<unsigned>();
  check_exchange<unsigned long long>();
  check_exchange<float>();
}

TEST(SimAtomics, IncAndDecWrapAtTheLimit) {
  DeviceBuffer<unsigned> counters(std::vector<unsigned>{0u, 0u});
  const unsigned limit = 9;  // inc counts 0..9 then wraps to 0; dec goes 0 -> 9 -> 8 ...
  MMN_LAUNCH(atomic_wrapping, dim3(1), dim3(25), 0, nullptr, counters.data(), limit);
  const std::vector<unsigned> got = counters.download();
  EXPECT_EQ(got[0], 25u % (limit + 1));
  EXPECT_EQ(got[1], (limit + 1 - 25u % (limit + 1)) % (limit + 1));
}

}  // namespace
}  // namespace mmn::sim_test
