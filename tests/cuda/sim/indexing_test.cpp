// Thread and block indexing over 1-3D grids and blocks, kernel argument passing.
#include <gtest/gtest.h>

#include <vector>

#include "cuda/sim/indexing_kernels.h"
#include "mmn/device/device_buffer.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn::sim_test {
namespace {

struct Shape {
  dim3 grid;
  dim3 block;
};

class SimIndexingTest : public ::testing::TestWithParam<Shape> {};

TEST_P(SimIndexingTest, EveryThreadSeesItsOwnCoordinates) {
  const Shape shape = GetParam();
  const unsigned blocks = shape.grid.x * shape.grid.y * shape.grid.z;
  const unsigned threads = shape.block.x * shape.block.y * shape.block.z;
  auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<unsigned> out(std::size_t{kIndexRecord} * blocks * threads);
    MMN_LAUNCH(record_indices, shape.grid, shape.block, 0, nullptr, out.data());
    return out.download();
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  const std::vector<unsigned>& got = runs.results[0];
  for (unsigned b = 0; b < blocks; ++b) {
    for (unsigned t = 0; t < threads; ++t) {
      const unsigned* r = &got[kIndexRecord * (b * threads + t)];
      const std::vector<unsigned> expected = {
          t % shape.block.x,      (t / shape.block.x) % shape.block.y, t / (shape.block.x * shape.block.y),
          b % shape.grid.x,       (b / shape.grid.x) % shape.grid.y,   b / (shape.grid.x * shape.grid.y),
          shape.block.x,          shape.block.y,                       shape.block.z,
          shape.grid.x,           shape.grid.y,                        shape.grid.z};
      ASSERT_EQ(std::vector<unsigned>(r, r + kIndexRecord), expected) << "block " << b << " thread " << t;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(SimShapes, SimIndexingTest,
                         ::testing::Values(Shape{dim3(1), dim3(1)}, Shape{dim3(3), dim3(37)},
                                           Shape{dim3(2, 3), dim3(8, 5)}, Shape{dim3(2, 2, 3), dim3(4, 3, 2)},
                                           Shape{dim3(1, 1, 2), dim3(1, 1, 64)}, Shape{dim3(1), dim3(1024)},
                                           Shape{dim3(1), dim3(32, 32)}));

TEST(SimLaunch, ConvertsArgumentsToParameterTypes) {
  const int n = 1000;
  std::vector<float> x(n), y(n);
  for (int i = 0; i < n; ++i) {
    x[i] = static_cast<float>(i);
    y[i] = static_cast<float>(2 * i + 1);
  }
  DeviceBuffer<float> dx(x), dy(y), out(n);
  // A std::size_t count and a double factor arrive as the kernel's int and float.
  mmn::launch(saxpy, dim3(3), dim3(128), 0, nullptr, std::size_t{n}, 0.5, dx.data(), dy.data(), out.data());
  const std::vector<float> got = out.download();
  for (int i = 0; i < n; ++i) ASSERT_EQ(got[i], 0.5f * x[i] + y[i]) << i;
}

}  // namespace
}  // namespace mmn::sim_test
