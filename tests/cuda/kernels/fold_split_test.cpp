// The split fold's pieces (cuda/mmn/kernels/fold_split.cuh): how many parts a layer gets, where
// each group's copy sits in a part, and the second pass, which zeroes the parts and then adds
// them into the gradients in part order. The whole split fold against the CPU layer is in
// composed_gemm_test.cpp and composed_gemm_tc_test.cpp.
#include "mmn/kernels/composed_gemm.cuh"

#include <gtest/gtest.h>

#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/device/run_in_all_orders.h"

namespace mmn {
namespace {

// How many parts: enough blocks to fill an H100 for a layer with few gradient tiles, at most 8,
// and at least 512 rows per part; criteo's first CVR layer (308 x 256) at batch 65536 gets 4.
TEST(FoldSplit, PartCountFollowsTheTilesAndTheRows) {
  EXPECT_EQ(kernels::fold_parts(308, 256, 65536, kernels::kFoldTile), 4u);  // 80 tiles
  EXPECT_EQ(kernels::fold_parts(308, 256, 1500, kernels::kFoldTile), 2u);
  EXPECT_EQ(kernels::fold_parts(308, 256, 1000, kernels::kFoldTile), 1u);
  EXPECT_EQ(kernels::fold_parts(256, 128, 65536, kernels::kFoldTile), 8u);   // 32 tiles
  EXPECT_EQ(kernels::fold_parts(2048, 2048, 65536, kernels::kFoldTile), 1u);  // 4096 tiles fill it alone
  EXPECT_EQ(kernels::fold_part_begin(1000, 3, 0), 0u);
  EXPECT_EQ(kernels::fold_part_begin(1000, 3, 1), 333u);
  EXPECT_EQ(kernels::fold_part_begin(1000, 3, 3), 1000u);
}

// A layer 3 -> 2 with shared and scenario groups on a 2 x 2 grid, its gradients starting at g0.
struct SmallLayer {
  DomainGrid grid{2, 2};
  std::vector<float> values = std::vector<float>(64, 1.0f);
  ComposedLayer layer;
  ComposedLayerGrad grad;
  SmallLayer() {
    layer.in = 3, layer.out = 2;
    layer.weight[kShared] = values.data(), layer.bias[kShared] = values.data();
    layer.weight[kScenario] = values.data(), layer.bias[kScenario] = values.data();
  }
};

TEST(FoldSplit, EachGroupHasItsOwnRunOfAPart) {
  SmallLayer s;
  EXPECT_EQ(kernels::fold_part_floats(s.layer, s.grid), (1 + 2) * (3 * 2 + 2u));
  float placeholder = 0.0f;  // a scratch address for the layout; nothing is written
  const kernels::FoldSplit split = kernels::fold_split(s.layer, s.grid, 4096, &placeholder, kernels::kFoldTile);
  EXPECT_EQ(split.parts, 8u);
  EXPECT_EQ(split.part_floats, 24u);
  EXPECT_EQ(split.weight_at[kShared], 0u);
  EXPECT_EQ(split.weight_at[kScenario], 6u);   // after the shared 3 x 2
  EXPECT_EQ(split.bias_at[kShared], 18u);      // after both groups' weights
  EXPECT_EQ(split.bias_at[kScenario], 20u);
  EXPECT_EQ(kernels::fold_split(s.layer, s.grid, 4096, nullptr, kernels::kFoldTile).parts, 1u);
  EXPECT_EQ(kernels::fold_split(s.layer, s.grid, 600, &placeholder, kernels::kFoldTile).parts, 1u);
}

// Part p holds 10^p times (element + 1); the sum adds 1 + 10 + 100 = 111 times that to every
// gradient element, on top of what the gradients held, and the zeroing clears every part.
TEST(FoldSplit, PartsAreZeroedAndAddedIntoEveryGroupsGradients) {
  SmallLayer s;
  float placeholder = 0.0f;  // the layout's address; the device copy below points at real scratch
  kernels::FoldSplit split = kernels::fold_split(s.layer, s.grid, 4096, &placeholder, kernels::kFoldTile);
  split.parts = 3;
  std::vector<float> parts(3 * split.part_floats);
  for (std::size_t p = 0, scale = 1; p < 3; ++p, scale *= 10)
    for (std::size_t i = 0; i < split.part_floats; ++i) parts[p * split.part_floats + i] = scale * (i + 1.0f);
  const auto runs = sim::run_in_all_orders([&] {
    DeviceBuffer<float> scratch(parts), gw_shared(std::vector<float>(6, 0.5f)), gw_scen(std::vector<float>(12, 0.5f)),
        gb_shared(std::vector<float>(2, 0.5f)), gb_scen(std::vector<float>(4, 0.5f));
    ComposedLayerGrad grad;
    grad.weight[kShared] = gw_shared.data(), grad.weight[kScenario] = gw_scen.data();
    grad.bias[kShared] = gb_shared.data(), grad.bias[kScenario] = gb_scen.data();
    kernels::FoldSplit on_device = split;
    on_device.scratch = scratch.data();
    kernels::sum_fold_parts(grad, on_device, nullptr);
    std::vector<std::vector<float>> out{gw_shared.download(), gw_scen.download(), gb_shared.download(),
                                        gb_scen.download()};
    kernels::clear_fold_scratch(on_device, nullptr);
    out.push_back(scratch.download());
    return out;
  });
  ASSERT_TRUE(runs.agree()) << runs.disagreement();
  const std::vector<std::vector<float>>& out = runs.results.front();
  const std::size_t at[] = {0, 6, 18, 20};
  for (std::size_t k = 0; k < 4; ++k)
    for (std::size_t i = 0; i < out[k].size(); ++i)
      EXPECT_EQ(out[k][i], 0.5f + 111.0f * (at[k] + i + 1.0f)) << "array " << k << " element " << i;
  EXPECT_EQ(out[4], std::vector<float>(parts.size(), 0.0f));
}

}  // namespace
}  // namespace mmn
