// Warp votes, __activemask, match, warp reductions and the counting block barriers.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "cuda/sim/warp_kernels.h"
#include "mmn/device/device_buffer.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn::sim_test {
namespace {

std::vector<unsigned> run_votes(const std::vector<int>& predicates, unsigned threads, unsigned mask) {
  auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<int> d_in(predicates);
    DeviceBuffer<unsigned> d_out(3 * threads);
    MMN_LAUNCH(votes, dim3(1), dim3(threads), 0, nullptr, d_in.data(), d_out.data(), mask);
    return d_out.download();
  });
  EXPECT_TRUE(runs.agree()) << runs.disagreement();
  return runs.results[0];
}

TEST(SimVote, BallotAnyAllOverTheFullWarp) {
  const unsigned threads = 64;
  std::vector<int> p(threads);
  for (unsigned i = 0; i < threads; ++i) p[i] = i < 32 ? (i % 3 == 0 ? 5 : 0) : 1;  // warp 1: all true
  const std::vector<unsigned> out = run_votes(p, threads, 0xffffffffu);
  unsigned ballot0 = 0;
  for (unsigned lane = 0; lane < 32; lane += 3) ballot0 |= 1u << lane;
  for (unsigned i = 0; i < threads; ++i) {
    const bool warp0 = i < 32;
    EXPECT_EQ(out[3 * i + 0], warp0 ? ballot0 : 0xffffffffu) << i;
    EXPECT_EQ(out[3 * i + 1], 1u) << i;
    EXPECT_EQ(out[3 * i + 2], warp0 ? 0u : 1u) << i;
  }
}

TEST(SimVote, PartialMaskCountsOnlyItsLanes) {
  const unsigned threads = 32, mask = 0x00ff00f0u;
  std::vector<int> p(threads, 0);
  for (unsigned i = 0; i < threads; ++i) p[i] = (i == 4 || i == 20 || i == 31) ? 1 : 0;  // 31 is outside the mask
  const std::vector<unsigned> out = run_votes(p, threads, mask);
  for (unsigned i = 0; i < threads; ++i) {
    const bool in_mask = (mask >> i) & 1u;
    EXPECT_EQ(out[3 * i + 0], in_mask ? (1u << 4) | (1u << 20) : 0u) << i;
    EXPECT_EQ(out[3 * i + 1], in_mask ? 1u : 0u) << i;
    EXPECT_EQ(out[3 * i + 2], 0u) << i;
  }
  std::vector<int> all_true(threads, 1);
  const std::vector<unsigned> out_true = run_votes(all_true, threads, mask);
  EXPECT_EQ(out_true[3 * 4 + 2], 1u);
  EXPECT_EQ(out_true[3 * 4 + 0], mask);
}

TEST(SimVote, PartialLastWarpVotesOverItsLanes) {
  const unsigned threads = 40;
  std::vector<int> p(threads, 1);
  p[35] = 0;
  const std::vector<unsigned> out = run_votes(p, threads, 0xffu);
  EXPECT_EQ(out[3 * 33 + 0], 0xffu & ~(1u << 3));
  EXPECT_EQ(out[3 * 33 + 2], 0u);
  EXPECT_EQ(out[3 * 3 + 0], 0xffu);
  EXPECT_EQ(out[3 * 3 + 2], 1u);
}

std::vector<unsigned> active_masks(unsigned threads, unsigned exit_below) {
  DeviceBuffer<unsigned> out(threads);
  MMN_LAUNCH(active_mask_after_exits, dim3(1), dim3(threads), 0, nullptr, out.data(), exit_below);
  return out.download();
}

TEST(SimActiveMask, NamesTheLanesThatReachItTogether) {
  // Every lane of a converged warp, the existing lanes of a partial warp.
  auto all = sim::run_in_all_orders([] { return active_masks(40, 0); });
  ASSERT_TRUE(all.agree()) << all.disagreement();
  for (unsigned i = 0; i < 32; ++i) EXPECT_EQ(all.results[0][i], 0xffffffffu) << i;
  for (unsigned i = 32; i < 40; ++i) EXPECT_EQ(all.results[0][i], 0xffu) << i;
  // Not the lanes that exited before it.
  auto some = sim::run_in_all_orders([] { return active_masks(32, 12); });
  ASSERT_TRUE(some.agree()) << some.disagreement();
  for (unsigned lane = 12; lane < 32; ++lane) EXPECT_EQ(some.results[0][lane], 0xfffff000u) << lane;
}

TEST(SimMatch, GroupsLanesWithEqualValues) {
  const unsigned threads = 32;
  std::vector<int> grouped(threads), same(threads, 42);
  for (unsigned i = 0; i < threads; ++i) grouped[i] = static_cast<int>(i % 4);
  for (const auto& [values, all_equal] : {std::make_pair(grouped, false), std::make_pair(same, true)}) {
    DeviceBuffer<int> d_in(values);
    DeviceBuffer<unsigned> d_out(3 * threads);
    MMN_LAUNCH(matches, dim3(1), dim3(threads), 0, nullptr, d_in.data(), d_out.data());
    const std::vector<unsigned> out = d_out.download();
    for (unsigned i = 0; i < threads; ++i) {
      EXPECT_EQ(out[3 * i + 0], all_equal ? 0xffffffffu : 0x11111111u << (i % 4)) << i;
      EXPECT_EQ(out[3 * i + 1], all_equal ? 0xffffffffu : 0u) << i;
      EXPECT_EQ(out[3 * i + 2], all_equal ? 1u : 0u) << i;
    }
  }
}

TEST(SimWarpReduce, AddMinMaxAndOrXor) {
  const unsigned threads = 32;
  std::vector<int> in(threads);
  for (unsigned i = 0; i < threads; ++i) in[i] = static_cast<int>((i * 37) % 101) - 50;
  DeviceBuffer<int> d_in(in), d_out(6 * threads);
  MMN_LAUNCH(warp_reductions, dim3(1), dim3(threads), 0, nullptr, d_in.data(), d_out.data());
  const std::vector<int> out = d_out.download();
  int sum = 0;
  unsigned all = ~0u, any = 0, parity = 0;
  for (int v : in) {
    sum += v;
    all &= static_cast<unsigned>(v);
    any |= static_cast<unsigned>(v);
    parity ^= static_cast<unsigned>(v);
  }
  const int expected[6] = {sum, *std::min_element(in.begin(), in.end()), *std::max_element(in.begin(), in.end()),
                           static_cast<int>(all), static_cast<int>(any), static_cast<int>(parity)};
  for (unsigned i = 0; i < threads; ++i) {
    for (int k = 0; k < 6; ++k) EXPECT_EQ(out[6 * i + k], expected[k]) << "lane " << i << " op " << k;
  }
}

TEST(SimBlockVote, CountAndOrOverTheBlock) {
  const unsigned threads = 100;
  for (int mode = 0; mode < 3; ++mode) {
    std::vector<int> p(threads);
    for (unsigned i = 0; i < threads; ++i) p[i] = mode == 0 ? (i % 7 == 0 ? -3 : 0) : mode == 1 ? 1 : 0;
    const int count = static_cast<int>(std::count_if(p.begin(), p.end(), [](int v) { return v != 0; }));
    auto runs = sim::run_in_all_orders([&] {
      DeviceBuffer<int> d_in(p), d_out(3 * threads);
      MMN_LAUNCH(block_votes, dim3(1), dim3(threads), 0, nullptr, d_in.data(), d_out.data());
      return d_out.download();
    });
    ASSERT_TRUE(runs.agree()) << runs.disagreement();
    for (unsigned i = 0; i < threads; ++i) {
      EXPECT_EQ(runs.results[0][3 * i + 0], count);
      EXPECT_EQ(runs.results[0][3 * i + 1], count == static_cast<int>(threads) ? 1 : 0);
      EXPECT_EQ(runs.results[0][3 * i + 2], count > 0 ? 1 : 0);
    }
  }
}

}  // namespace
}  // namespace mmn::sim_test
