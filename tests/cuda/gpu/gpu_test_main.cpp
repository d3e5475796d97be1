// main() of the GPU test binaries: runs every test where cudaGetDeviceCount finds a device.
// Elsewhere it runs none: it prints every test as skipped with the reason (ctest's skip
// pattern "no CUDA device" then reports the binary as skipped, not passed) and exits 0.
#include <cuda_runtime.h>
#include <gtest/gtest.h>

#include <iostream>
#include <string>

namespace {

// Empty when a device is present, else why not.
std::string missing_device() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) return std::string("cudaGetDeviceCount failed: ") + cudaGetErrorString(status);
  if (count == 0) return "cudaGetDeviceCount found 0 devices";
  return {};
}

int skip_every_test(const std::string& reason, const char* binary) {
  const ::testing::UnitTest& unit = *::testing::UnitTest::GetInstance();
  int skipped = 0;
  for (int s = 0; s < unit.total_test_suite_count(); ++s) {
    const ::testing::TestSuite& suite = *unit.GetTestSuite(s);
    for (int t = 0; t < suite.total_test_count(); ++t, ++skipped)
      std::cout << "[  SKIPPED ] " << suite.name() << "." << suite.GetTestInfo(t)->name() << "\n";
  }
  std::cout << "[  SKIPPED ] " << skipped << " tests of " << binary << ": no CUDA device (" << reason << ")"
            << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (GTEST_FLAG_GET(list_tests)) return RUN_ALL_TESTS();
  const std::string reason = missing_device();
  if (!reason.empty()) return skip_every_test(reason, argv[0]);
  return RUN_ALL_TESTS();
}
