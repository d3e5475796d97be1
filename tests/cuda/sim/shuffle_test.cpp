// Each shuffle kind against CUDA's definition, including widths below 32 and source lanes
// outside the segment or the warp.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "cuda/sim/warp_kernels.h"
#include "mmn/device/device_buffer.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn::sim_test {
namespace {

// CUDA's definitions, per lane, written from the programming guide: the warp is cut into
// segments of `width` lanes; a source outside the caller's segment (above it, for xor)
// gives the caller's own value, except for __shfl_sync, which wraps the source lane.
int source_index(unsigned lane, int source_lane, unsigned width) {
  return static_cast<int>(lane / width * width + static_cast<unsigned>(source_lane) % width);
}
int source_up(unsigned lane, unsigned delta, unsigned width) {
  return lane % width >= delta ? static_cast<int>(lane - delta) : static_cast<int>(lane);
}
int source_down(unsigned lane, unsigned delta, unsigned width) {
  return lane % width + delta < width ? static_cast<int>(lane + delta) : static_cast<int>(lane);
}
int source_xor(unsigned lane, int lane_mask, unsigned width) {
  const unsigned other = lane ^ static_cast<unsigned>(lane_mask);
  return other / width > lane / width ? static_cast<int>(lane) : static_cast<int>(other);
}

template <typename T>
std::vector<T> warp_values(unsigned threads) {
  std::vector<T> v(threads);
  for (unsigned i = 0; i < threads; ++i) v[i] = static_cast<T>(1000 + 3 * i) / static_cast<T>(2);
  return v;
}

template <typename T>
void check_shuffles(const ShuffleParams& p) {
  const unsigned threads = 64;
  const std::vector<T> in = warp_values<T>(threads);
  auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<T> d_in(in), d_out(4 * threads);
    MMN_LAUNCH(shuffle_kinds<T>, dim3(1), dim3(threads), 0, nullptr, d_in.data(), d_out.data(), p);
    return d_out.download();
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  const std::vector<T>& out = runs.results[0];
  const unsigned width = static_cast<unsigned>(p.width);
  for (unsigned i = 0; i < threads; ++i) {
    const unsigned warp = i / 32 * 32, lane = i % 32;
    SCOPED_TRACE(::testing::Message() << "thread " << i << " width " << p.width << " source " << p.source_lane
                                      << " delta " << p.delta << " lane mask " << p.lane_mask);
    EXPECT_EQ(out[4 * i + 0], in[warp + static_cast<unsigned>(source_index(lane, p.source_lane, width))]);
    EXPECT_EQ(out[4 * i + 1], in[warp + static_cast<unsigned>(source_up(lane, p.delta, width))]);
    EXPECT_EQ(out[4 * i + 2], in[warp + static_cast<unsigned>(source_down(lane, p.delta, width))]);
    EXPECT_EQ(out[4 * i + 3], in[warp + static_cast<unsigned>(source_xor(lane, p.lane_mask, width))]);
  }
}

TEST(SimShuffle, EveryKindWidthAndOffsetMatchesTheDefinition) {
  for (int width : {1, 2, 4, 8, 16, 32}) {
    for (int source : {0, 3, 17, 31, 37}) {
      for (unsigned delta : {0u, 1u, 5u, 16u, 31u, 40u}) {
        for (int lane_mask : {1, 6, 16, 31}) {
          check_shuffles<int>({source, delta, lane_mask, width});
          if (::testing::Test::HasFailure()) return;
        }
      }
    }
  }
}

TEST(SimShuffle, CarriesEverySupportedTypeWhole) {
  check_shuffles<float>({5, 3, 9, 16});
  check_shuffles<double>({30, 7, 21, 32});
  check_shuffles<unsigned long long>({1, 2, 4, 8});
  check_shuffles<long long>({33, 1, 1, 32});
  check_shuffles<unsigned>({2, 0, 0, 4});
}

TEST(SimShuffle, SixtyFourBitValuesKeepTheirHighBits) {
  const unsigned threads = 32;
  std::vector<unsigned long long> in(threads);
  for (unsigned i = 0; i < threads; ++i) in[i] = (0x123456789ull << 20) + i;
  DeviceBuffer<unsigned long long> d_in(in), d_out(4 * threads);
  MMN_LAUNCH(shuffle_kinds<unsigned long long>, dim3(1), dim3(threads), 0, nullptr, d_in.data(), d_out.data(),
             ShuffleParams{7, 1, 1, 32});
  EXPECT_EQ(d_out.download()[0], in[7]);
}

TEST(SimShuffle, HalfWarpMaskReadsOnlyItsLanesAndPoisonsTheRest) {
  const unsigned threads = 32, delta = 4;
  std::vector<int> in(threads);
  for (unsigned i = 0; i < threads; ++i) in[i] = static_cast<int>(10 * i);
  auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<int> d_in(in), d_out(threads);
    MMN_LAUNCH(shuffle_down_half_warp, dim3(1), dim3(threads), 0, nullptr, d_in.data(), d_out.data(), delta);
    return d_out.download();
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  for (unsigned lane = 0; lane < threads; ++lane) {
    // Lanes 12-15 read lanes 16-19, outside the mask: undefined on a GPU, poison (-1) here.
    const int expected = lane >= 16 ? -7 : lane + delta < 16 ? in[lane + delta] : -1;
    EXPECT_EQ(runs.results[0][lane], expected) << lane;
  }
}

TEST(SimShuffle, ButterflyReductionGivesEveryLaneTheWarpTotal) {
  const unsigned threads = 96;
  std::vector<float> in(threads);
  for (unsigned i = 0; i < threads; ++i) in[i] = static_cast<float>(i % 32 + 100 * (i / 32));
  DeviceBuffer<float> d_in(in), d_out(threads);
  MMN_LAUNCH(warp_allreduce, dim3(1), dim3(threads), 0, nullptr, d_in.data(), d_out.data());
  const std::vector<float> out = d_out.download();
  for (unsigned i = 0; i < threads; ++i) EXPECT_EQ(out[i], 496.0f + 3200.0f * static_cast<float>(i / 32)) << i;
}

}  // namespace
}  // namespace mmn::sim_test
