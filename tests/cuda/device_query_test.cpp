#include "mmn/cuda/device_query.h"

#include <gtest/gtest.h>

TEST(CudaDevice, QueryNeverThrowsAndExplainsZero) {
  const auto report = mmn::cuda::query_devices();
  EXPECT_GE(report.count, 0);
  if (report.count == 0) {
    EXPECT_FALSE(report.reason.empty());
  }
}

TEST(CudaDevice, CompiledKernelWritesThreadIndices) {
  const auto report = mmn::cuda::query_devices();
  if (report.count == 0) GTEST_SKIP() << "no GPU here (" << report.reason << "): device kernel not run";
  EXPECT_TRUE(mmn::cuda::self_test_kernel());
}
