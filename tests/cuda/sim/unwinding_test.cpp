// A failing launch unwinds every fiber (destructors of kernel locals run) before the error
// reaches the host; exceptions from kernel code pass through; launches do not nest.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn::sim_test {
namespace {

int g_live_guards = 0;
int g_destroyed_guards = 0;

struct Guard {
  Guard() { ++g_live_guards; }
  ~Guard() {
    --g_live_guards;
    ++g_destroyed_guards;
  }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;
};

// Thread 0 waits at a shuffle with lanes that wait at a barrier instead: a deadlock found
// while every thread holds a Guard on its fiber's stack.
__global__ void deadlock_holding_guards(int* out) {
  Guard guard;
  if (threadIdx.x == 0) {
    out[0] = __shfl_sync(0xffffffffu, 1, 1);
  } else {
    __syncthreads();
  }
}

__global__ void throw_from_thread(int* out, unsigned thrower) {
  Guard guard;
  if (threadIdx.x == thrower) throw std::domain_error("thrown by the kernel");
  __syncthreads();
  out[threadIdx.x] = 1;
}

__global__ void double_it(int* data) { data[threadIdx.x] *= 2; }

__global__ void launch_inside(int* data) { MMN_LAUNCH(double_it, dim3(1), dim3(1), 0, nullptr, data); }

TEST(SimUnwinding, DeadlockUnwindsEveryFiber) {
  for (const sim::Schedule& schedule : sim::all_orders()) {
    sim::ScopedSchedule scoped(schedule);
    DeviceBuffer<int> out(1);
    g_destroyed_guards = 0;
    EXPECT_THROW(MMN_LAUNCH(deadlock_holding_guards, dim3(1), dim3(64), 0, nullptr, out.data()), sim::KernelError);
    EXPECT_EQ(g_live_guards, 0) << schedule;
    // Warp 1 (threads 32-63) waited at the barrier too: 64 guards built, 64 destroyed.
    EXPECT_EQ(g_destroyed_guards, 64) << schedule;
  }
}

TEST(SimUnwinding, KernelExceptionReachesTheHostAfterTheOthersUnwound) {
  for (const sim::Schedule& schedule : sim::all_orders()) {
    sim::ScopedSchedule scoped(schedule);
    DeviceBuffer<int> out(96);
    EXPECT_THROW(MMN_LAUNCH(throw_from_thread, dim3(2), dim3(96), 0, nullptr, out.data(), 50u), std::domain_error);
    EXPECT_EQ(g_live_guards, 0) << schedule;
  }
  DeviceBuffer<int> out(96);
  MMN_LAUNCH(throw_from_thread, dim3(1), dim3(96), 0, nullptr, out.data(), 1000u);
  EXPECT_EQ(out.download(), std::vector<int>(96, 1));
}

TEST(SimUnwinding, LaunchFromAKernelIsAnError) {
  DeviceBuffer<int> data(std::vector<int>{3});
  try {
    MMN_LAUNCH(launch_inside, dim3(1), dim3(1), 0, nullptr, data.data());
    ADD_FAILURE() << "nested launch accepted";
  } catch (const sim::KernelError& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("kernel 'double_it' launched from inside a kernel"));
  }
  MMN_LAUNCH(double_it, dim3(1), dim3(1), 0, nullptr, data.data());
  EXPECT_EQ(data.download()[0], 6);
}

TEST(SimDeviceBuffer, UploadsDownloadsAndChecksSizes) {
  DeviceBuffer<float> empty;
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_TRUE(empty.download().empty());
  DeviceBuffer<float> buffer(std::vector<float>{1.5f, -2.0f, 3.25f});
  EXPECT_EQ(buffer.download(), (std::vector<float>{1.5f, -2.0f, 3.25f}));
  EXPECT_THROW(buffer.upload({1.0f}), std::invalid_argument);
  DeviceBuffer<float> moved = std::move(buffer);
  EXPECT_EQ(moved.size(), 3u);
  EXPECT_EQ(buffer.size(), 0u);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  DeviceBuffer<unsigned> fresh(2);
  EXPECT_EQ(fresh.download(), (std::vector<unsigned>{0xffffffffu, 0xffffffffu}));  // no defined contents
}

}  // namespace
}  // namespace mmn::sim_test
