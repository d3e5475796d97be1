// Deliberately broken kernels are caught: races show up as results that differ between
// thread orders; divergent barriers and hopeless warp collectives are KernelErrors that
// name the kernel and the call, thrown after the launch is cleaned up.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

#include "cuda/sim/broken_kernels.h"
#include "cuda/sim/kernel_error_check.h"
#include "mmn/device/device_buffer.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn::sim_test {
namespace {

using ::testing::HasSubstr;

std::vector<int> iota_vector(std::size_t n, int first) {
  std::vector<int> v(n);
  std::iota(v.begin(), v.end(), first);
  return v;
}

template <bool kWithBarrier>
sim::OrderRuns<std::vector<int>> rotate_in_all_orders() {
  const unsigned blocks = 4, threads = 128;
  const std::vector<int> in = iota_vector(blocks * threads, 1);
  return sim::run_in_all_orders([&] {
    DeviceBuffer<int> d_in(in), d_out(in.size());
    MMN_LAUNCH(rotate_left<kWithBarrier>, dim3(blocks), dim3(threads), 0, nullptr, d_in.data(), d_out.data());
    return d_out.download();
  });
}

TEST(SimRaces, MissingSyncthreadsGivesDifferentResultsInDifferentOrders) {
  const auto broken = rotate_in_all_orders<false>();
  EXPECT_FALSE(broken.agree());
  EXPECT_THAT(broken.disagreement(), HasSubstr("thread orders forward and"));
  const auto repaired = rotate_in_all_orders<true>();
  ASSERT_TRUE(repaired.agree()) << repaired.disagreement();
  EXPECT_EQ(repaired.results[0][0], 2);
  EXPECT_EQ(repaired.results[0][127], 1);
}

template <bool kWithSyncwarp>
sim::OrderRuns<std::vector<unsigned>> warp_sum_in_all_orders() {
  const unsigned warps = 3;
  std::vector<unsigned> in(warps * 32);
  std::iota(in.begin(), in.end(), 1u);
  return sim::run_in_all_orders([&] {
    DeviceBuffer<unsigned> d_in(in), d_out(warps);
    MMN_LAUNCH(warp_tree_sum<kWithSyncwarp>, dim3(warps), dim3(32), 0, nullptr, d_in.data(), d_out.data());
    return d_out.download();
  });
}

TEST(SimRaces, WarpSynchronousCodeWithoutSyncwarpGivesDifferentResults) {
  const auto broken = warp_sum_in_all_orders<false>();
  EXPECT_FALSE(broken.agree());
  const auto repaired = warp_sum_in_all_orders<true>();
  ASSERT_TRUE(repaired.agree()) << repaired.disagreement();
  EXPECT_EQ(repaired.results[0], (std::vector<unsigned>{528, 528 + 1024, 528 + 2048}));
}

// Every order throws a KernelError with all `parts`, and the emulator is usable again at once.
template <typename Launch>
void expect_kernel_error(Launch launch, const std::vector<std::string>& parts) {
  expect_kernel_error_in_every_order(launch, parts);
  // The emulator is usable again at once.
  const auto good = rotate_in_all_orders<true>();
  EXPECT_TRUE(good.agree()) << good.disagreement();
}

TEST(SimErrors, BarrierAfterSomeThreadsExitedIsDivergent) {
  DeviceBuffer<int> out(64);
  expect_kernel_error(
      [&] { MMN_LAUNCH(barrier_after_early_exit, dim3(2), dim3(64), 0, nullptr, out.data(), 40u); },
      {"kernel 'barrier_after_early_exit'", "divergent __syncthreads", "broken_kernels.h:"});
}

TEST(SimErrors, BarriersAtTwoCallSitesAreDivergent) {
  DeviceBuffer<int> out(64);
  expect_kernel_error([&] { MMN_LAUNCH(barriers_at_two_sites, dim3(1), dim3(64), 0, nullptr, out.data()); },
                      {"kernel 'barriers_at_two_sites'", "divergent barrier: thread ", " arrives at __syncthreads (broken_kernels.h:",
                       ") while others wait at __syncthreads (broken_kernels.h:"});
}

TEST(SimErrors, ShuffleWaitingForExitedLanes) {
  DeviceBuffer<int> in(iota_vector(64, 0)), out(64);
  expect_kernel_error(
      [&] { MMN_LAUNCH(shuffle_after_early_exit, dim3(1), dim3(64), 0, nullptr, in.data(), out.data(), 20u); },
      {"kernel 'shuffle_after_early_exit'", "__shfl_sync at broken_kernels.h:", "mask 0xffffffff", "lane"});
}

TEST(SimErrors, ShuffleMaskWithoutTheCallingLane) {
  DeviceBuffer<int> in(iota_vector(32, 0)), out(32);
  expect_kernel_error(
      [&] { MMN_LAUNCH(shuffle_with_mask, dim3(1), dim3(32), 0, nullptr, in.data(), out.data(), 0x0000ffffu); },
      {"kernel 'shuffle_with_mask'", "__shfl_down_sync", "does not name the calling lane"});
}

TEST(SimErrors, FullMaskInAPartialWarpNamesMissingLanes) {
  DeviceBuffer<int> in(iota_vector(48, 0)), out(48);
  expect_kernel_error(
      [&] { MMN_LAUNCH(shuffle_with_mask, dim3(1), dim3(48), 0, nullptr, in.data(), out.data(), 0xffffffffu); },
      {"names lanes 16-31 of warp 1, which do not exist"});
}

TEST(SimErrors, ShuffleAgainstABarrierIsADeadlock) {
  DeviceBuffer<int> in(iota_vector(32, 0)), out(32);
  expect_kernel_error([&] { MMN_LAUNCH(shuffle_against_barrier, dim3(1), dim3(32), 0, nullptr, in.data(), out.data()); },
                      {"deadlock", "threads 0: wait at __shfl_sync", "threads 1-31: wait at __syncthreads"});
}

TEST(SimErrors, LanesAtDifferentCollectivesAreADeadlock) {
  DeviceBuffer<int> in(iota_vector(32, 0)), out(32);
  expect_kernel_error([&] { MMN_LAUNCH(shuffle_against_ballot, dim3(1), dim3(32), 0, nullptr, in.data(), out.data()); },
                      {"kernel 'shuffle_against_ballot'", "deadlock", "threads 0-15: wait at __shfl_sync",
                       "threads 16-31: wait at __ballot_sync"});
}

TEST(SimErrors, ShuffleWidthMustBeAPowerOfTwo) {
  DeviceBuffer<int> in(iota_vector(32, 0)), out(32);
  expect_kernel_error(
      [&] { MMN_LAUNCH(shuffle_with_width, dim3(1), dim3(32), 0, nullptr, in.data(), out.data(), 12); },
      {"width 12 is not a power of two"});
}

TEST(SimErrors, InvalidLaunchConfigurations) {
  DeviceBuffer<int> out(64);
  const auto launch = [&](dim3 grid, dim3 block, std::size_t shared) {
    MMN_LAUNCH(barriers_at_two_sites, grid, block, shared, nullptr, out.data());
  };
  EXPECT_THROW(launch(dim3(1), dim3(1025), 0), sim::KernelError);
  EXPECT_THROW(launch(dim3(1), dim3(32, 32, 2), 0), sim::KernelError);
  EXPECT_THROW(launch(dim3(1), dim3(1, 1, 65), 0), sim::KernelError);
  EXPECT_THROW(launch(dim3(0), dim3(32), 0), sim::KernelError);
  EXPECT_THROW(launch(dim3(1, 65536), dim3(32), 0), sim::KernelError);
  EXPECT_THROW(launch(dim3(1), dim3(32), 300 * 1024), sim::KernelError);
  try {
    launch(dim3(1), dim3(0), 0);
    ADD_FAILURE() << "blockDim 0 accepted";
  } catch (const std::runtime_error& e) {  // a KernelError is a std::runtime_error
    EXPECT_THAT(e.what(), HasSubstr("kernel 'barriers_at_two_sites': invalid launch configuration: blockDim (0,1,1)"));
  }
}

TEST(SimErrors, IntrinsicsOutsideAKernel) { EXPECT_THROW(__syncthreads(), sim::KernelError); }

}  // namespace
}  // namespace mmn::sim_test
