// Fiber stacks: their size is configurable, and overflowing one is reported, not silent.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/sim/asan.h"

namespace mmn::sim_test {
namespace {

// About 1 KiB of stack per level; `previous` keeps the caller's frame alive (no tail call).
__device__ int burn_stack(int depth, volatile char* previous) {
  volatile char pad[1024];
  pad[0] = previous[0];
  pad[1] = static_cast<char>(depth);
  if (depth == 0) return pad[0];
  return burn_stack(depth - 1, pad) + pad[1];
}

__global__ void deep_recursion(int* out, int depth) {
  volatile char start[1] = {1};
  out[threadIdx.x] = burn_stack(depth, start);
}

int recurse(int depth) {
  DeviceBuffer<int> out(32);
  MMN_LAUNCH(deep_recursion, dim3(1), dim3(32), 0, nullptr, out.data(), depth);
  return out.download()[31];
}

int expected_sum(int depth) {
  int sum = 1;
  for (int d = 1; d <= depth; ++d) sum += static_cast<char>(d);
  return sum;
}

TEST(SimFiberStack, ShallowRecursionFits) { EXPECT_EQ(recurse(10), expected_sum(10)); }

TEST(SimFiberStack, SizeIsConfigurable) {
  const std::size_t before = sim::fiber_stack_bytes();
  sim::set_fiber_stack_bytes(8 * 1024 * 1024);  // 3000 levels of about 1 KiB need more than the default
  EXPECT_EQ(recurse(3000), expected_sum(3000));
  sim::set_fiber_stack_bytes(before);
  EXPECT_EQ(sim::fiber_stack_bytes(), before);
  EXPECT_THROW(sim::set_fiber_stack_bytes(1024), std::invalid_argument);
}

TEST(SimFiberStackDeathTest, OverflowIsReported) {
  // AddressSanitizer reports the fault itself.
  const char* expected = MMN_SIM_ASAN ? "stack-overflow|SEGV" : "kernel 'deep_recursion' overflowed its fiber stack";
  EXPECT_DEATH(recurse(100000), expected);
}

}  // namespace
}  // namespace mmn::sim_test
