// Out-of-bounds shared memory accesses are caught by AddressSanitizer (in ASan builds).
#include <gtest/gtest.h>

#include "cuda/sim/broken_kernels.h"
#include "mmn/device/device_buffer.h"
#include "mmn/sim/asan.h"

#if MMN_SIM_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace mmn::sim_test {
namespace {

#if MMN_SIM_ASAN
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

TEST(SimAddressSanitizerDeathTest, DynamicSharedMemoryOverrun) {
  if (!kAddressSanitizer) GTEST_SKIP() << "needs an AddressSanitizer build (MMN_SANITIZE=address)";
  DeviceBuffer<int> out(1);
  const unsigned count = 16;
  EXPECT_DEATH(MMN_LAUNCH(overrun_dynamic_shared, dim3(1), dim3(32), count * sizeof(int), nullptr, out.data(), count),
               "heap-buffer-overflow");
}

TEST(SimAddressSanitizerDeathTest, StaticSharedMemoryOverrun) {
  if (!kAddressSanitizer) GTEST_SKIP() << "needs an AddressSanitizer build (MMN_SANITIZE=address)";
  DeviceBuffer<int> out(1);
  // UndefinedBehaviorSanitizer's object-size check may report it before AddressSanitizer does.
  EXPECT_DEATH(MMN_LAUNCH(overrun_static_shared, dim3(1), dim3(32), 0, nullptr, out.data(), 32u),
               "global-buffer-overflow|insufficient space for an object");
}

#if MMN_SIM_ASAN
// Whether the bytes just past a static __shared__ array are an AddressSanitizer redzone.
__global__ void report_static_shared_redzone(int* out) {
  __shared__ int cells[32];
  cells[threadIdx.x] = 0;
  out[threadIdx.x] = __asan_address_is_poisoned(cells + 32) && !__asan_address_is_poisoned(cells + threadIdx.x);
}
#endif

TEST(SimAddressSanitizer, StaticSharedMemoryHasRedzones) {
#if MMN_SIM_ASAN
  DeviceBuffer<int> out(32);
  MMN_LAUNCH(report_static_shared_redzone, dim3(1), dim3(32), 0, nullptr, out.data());
  EXPECT_EQ(out.download(), std::vector<int>(32, 1));
#else
  GTEST_SKIP() << "needs an AddressSanitizer build (MMN_SANITIZE=address)";
#endif
}

TEST(SimAddressSanitizer, InBoundsSharedMemoryIsFine) {
  DeviceBuffer<int> out(1);
  MMN_LAUNCH(overrun_static_shared, dim3(1), dim3(32), 0, nullptr, out.data(), 31u);
  EXPECT_EQ(out.download()[0], 1);
}

}  // namespace
}  // namespace mmn::sim_test
