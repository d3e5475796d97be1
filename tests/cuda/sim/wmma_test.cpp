// The emulator's WMMA (mmn/sim/wmma.h): bf16 and tf32 tiles equal a CPU loop over operands
// rounded as the GPU rounds them, summed in k order, to the bit; an unrounded tf32 operand, a
// misaligned pointer, a bad leading dimension and a multiply only part of a warp reaches are
// KernelErrors; a missing barrier after a fragment store shows up as a wrong or order-dependent
// result.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "cuda/sim/kernel_error_check.h"
#include "cuda/sim/wmma_kernels.h"
#include "mmn/device/device_buffer.h"
#include "mmn/device/run_in_all_orders.h"
#include "mmn/ops/operand_precision.h"

namespace mmn::sim_test {
namespace {

std::vector<float> normal_values(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = normal(rng);
  return v;
}

// d[i][j] = c[i][j] + sum_k round(a[i][k]) round(b[k][j]), k ascending, in fp32.
std::vector<float> rounded_product(Precision p, const std::vector<float>& a, const std::vector<float>& b,
                                   const std::vector<float>& c, int k_size) {
  std::vector<float> d(256);
  for (int i = 0; i < 16; ++i)
    for (int j = 0; j < 16; ++j) {
      float sum = c.empty() ? 0.0f : c[i * 16 + j];
      for (int k = 0; k < k_size; ++k) sum += round_operand(p, a[i * k_size + k]) * round_operand(p, b[k * 16 + j]);
      d[i * 16 + j] = sum;
    }
  return d;
}

template <bool kAColumnMajor>
void expect_bf16_tile_exact() {
  const auto a = normal_values(256, 1), b = normal_values(256, 2), c = normal_values(256, 3);
  const auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<float> da(a), db(b), dc(c), dd(256);
    MMN_LAUNCH(wmma_bf16_tile<kAColumnMajor>, dim3(1), dim3(32), 0, nullptr, da.data(), db.data(), dc.data(),
               dd.data());
    return dd.download();
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  const std::vector<float> want = rounded_product(Precision::bf16, a, b, c, 16);
  EXPECT_EQ(runs.results.front(), want);
  EXPECT_NE(runs.results.front(), rounded_product(Precision::fp32, a, b, c, 16));
}

TEST(SimWmma, Bf16TileEqualsTheRoundedLoopToTheBit) { expect_bf16_tile_exact<false>(); }
TEST(SimWmma, Bf16TileWithColumnMajorAEqualsTheRoundedLoopToTheBit) { expect_bf16_tile_exact<true>(); }

TEST(SimWmma, Tf32TileOfRoundedOperandsEqualsTheRoundedLoopToTheBit) {
  const auto a = normal_values(128, 4), b = normal_values(128, 5);
  const auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<float> da(a), db(b), dd(256);
    MMN_LAUNCH(wmma_tf32_tile<true>, dim3(1), dim3(32), 0, nullptr, da.data(), db.data(), dd.data());
    return dd.download();
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  EXPECT_EQ(runs.results.front(), rounded_product(Precision::tf32, a, b, {}, 8));
  EXPECT_NE(runs.results.front(), rounded_product(Precision::fp32, a, b, {}, 8));
}

TEST(SimWmma, UnroundedTf32OperandIsAnError) {
  const auto a = normal_values(128, 6), b = normal_values(128, 7);
  DeviceBuffer<float> da(a), db(b), dd(256);
  expect_kernel_error_in_every_order(
      [&] { MMN_LAUNCH(wmma_tf32_tile<false>, dim3(1), dim3(32), 0, nullptr, da.data(), db.data(), dd.data()); },
      {"wmma_tf32_tile", "wmma::mma_sync", "wmma_kernels.h", "not a tf32 value", "__float_to_tf32"});
}

TEST(SimWmma, LeadingDimensionNotAMultipleOf16BytesIsAnError) {
  expect_kernel_error_in_every_order([] { MMN_LAUNCH(wmma_bad_load, dim3(1), dim3(32), 0, nullptr, 20u, 0u); },
                      {"wmma::load_matrix_sync", "ldm 20 is not a multiple of 16 bytes (8 elements)"});
}

TEST(SimWmma, PointerNotAlignedTo256BitsIsAnError) {
  expect_kernel_error_in_every_order([] { MMN_LAUNCH(wmma_bad_load, dim3(1), dim3(32), 0, nullptr, 24u, 8u); },
                      {"wmma::load_matrix_sync", "not 256-bit aligned (address mod 32 = 16)"});
}

TEST(SimWmma, MultiplyThatPartOfTheWarpReachesIsAnError) {
  expect_kernel_error_in_every_order([] { MMN_LAUNCH(wmma_divergent_mma, dim3(1), dim3(32), 0, nullptr, 16u); },
                      {"wmma_divergent_mma", "wmma::mma_sync"});
}

template <bool kWithBarrier>
sim::OrderRuns<std::vector<float>> store_then_read_in_all_orders() {
  return sim::run_in_all_orders([] {
    DeviceBuffer<float> out(256);
    MMN_LAUNCH(wmma_store_then_read<kWithBarrier>, dim3(1), dim3(64), 0, nullptr, out.data());
    return out.download();
  });
}

TEST(SimWmma, ReadingAStoredTileWithoutABarrierIsCaught) {
  const std::vector<float> want(256, 17.0f);
  const auto repaired = store_then_read_in_all_orders<true>();
  ASSERT_TRUE(repaired.agree()) << repaired.disagreement();
  EXPECT_EQ(repaired.results.front(), want);
  const auto broken = store_then_read_in_all_orders<false>();
  EXPECT_FALSE(broken.agree() && broken.results.front() == want);
}

}  // namespace
}  // namespace mmn::sim_test
