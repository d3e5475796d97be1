// Static and dynamic shared memory, across barriers, and its poisoning between blocks.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "cuda/sim/shared_memory_kernels.h"
#include "mmn/device/device_buffer.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn::sim_test {
namespace {

TEST(SimStaticShared, CarriesValuesAcrossABarrier) {
  const unsigned blocks = 5, threads = 96;
  std::vector<int> in(blocks * threads);
  std::iota(in.begin(), in.end(), 1000);
  auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<int> d_in(in), d_out(in.size());
    MMN_LAUNCH(reverse_in_blocks, dim3(blocks), dim3(threads), 0, nullptr, d_in.data(), d_out.data());
    return d_out.download();
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  for (unsigned b = 0; b < blocks; ++b) {
    for (unsigned t = 0; t < threads; ++t) {
      ASSERT_EQ(runs.results[0][b * threads + t], in[b * threads + threads - 1 - t]) << b << "," << t;
    }
  }
}

TEST(SimStaticShared, TreeSumWithManyBarriers) {
  const unsigned blocks = 7, threads = 256;
  std::vector<long long> in(blocks * threads);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<long long>(i * i % 1009) - 300;
  auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<long long> d_in(in), d_out(blocks);
    MMN_LAUNCH((block_sum<long long>), dim3(blocks), dim3(threads), 0, nullptr, d_in.data(), d_out.data());
    return d_out.download();
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  for (unsigned b = 0; b < blocks; ++b) {
    const long long expected = std::accumulate(in.begin() + b * threads, in.begin() + (b + 1) * threads, 0LL);
    EXPECT_EQ(runs.results[0][b], expected) << b;
  }
}

TEST(SimDynamicShared, HoldsTwoArraysOfTheRequestedSize) {
  const unsigned blocks = 3, threads = 50;
  std::vector<float> in(blocks * threads);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = 0.25f * static_cast<float>(i);
  const std::size_t bytes = threads * (sizeof(float) + sizeof(int));
  auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<float> d_in(in), values(in.size());
    DeviceBuffer<int> indices(in.size());
    MMN_LAUNCH(rotate_through_dynamic_shared, dim3(blocks), dim3(threads), bytes, nullptr, d_in.data(),
               values.data(), indices.data());
    return std::make_pair(values.download(), indices.download());
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  for (unsigned b = 0; b < blocks; ++b) {
    for (unsigned t = 0; t < threads; ++t) {
      const unsigned source = b * threads + (t + 1) % threads;
      EXPECT_EQ(runs.results[0].first[b * threads + t], in[source]);
      EXPECT_EQ(runs.results[0].second[b * threads + t], static_cast<int>(source));
    }
  }
}

TEST(SimSharedPoison, EveryBlockStartsWithPoisonedDynamicSharedMemory) {
  const unsigned blocks = 4;
  DeviceBuffer<unsigned> out(blocks);
  MMN_LAUNCH(read_shared_before_writing, dim3(blocks), dim3(32), sizeof(unsigned), nullptr, out.data());
  EXPECT_EQ(out.download(), std::vector<unsigned>(blocks, 0xffffffffu));
}

}  // namespace
}  // namespace mmn::sim_test
