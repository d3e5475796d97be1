// The MMN layer's register kernels alone, on one thread, by rows per call: how much of a core
// they use on the small domains that dominate a batch (the training step's figures are in
// composed_layer_bench and train_step_bench).
//   ProductGemm: x (P ⊙ Ws) for a layer-0 column half (272 x 128), weights packed as panels,
//     either one pair of matrices (stays in L2) or 40 pairs in turn (10 MB: streamed from L3).
//   ProductTypeFold: one type of 21 domains of `rows` rows each, a depth block of 24 x 128
//     (P and Ws as panels, dz in the fold's column tiles, the rest with layer 0's row stride),
//     everything in cache: G's GEMM
//     against the per-domain updates.
// FLOPs: 2 per multiply-add of the GEMM part only.
#include <benchmark/benchmark.h>

#include "mmn/ops/product_microkernels.h"
#include "op_fixtures.h"
#include "roofline_counters.h"
#include "run_mode.h"

namespace {

using namespace mmn;
using namespace mmn::product_kernels;

constexpr std::uint32_t kDepth = 272, kCols = 128;

void BM_ProductGemm(benchmark::State& state) {
  const auto rows = static_cast<std::uint32_t>(state.range(0));
  const auto pairs = static_cast<std::size_t>(state.range(1));
  const std::size_t packed = panels_size(kDepth, kCols);
  const std::vector<float> x = perf::random_floats(std::size_t{rows} * kDepth, 1);
  const std::vector<float> a = perf::random_floats(pairs * packed, 2), b = perf::random_floats(pairs * packed, 3);
  std::vector<float> y(std::size_t{rows} * kCols);
  for (auto _ : state) {
    for (std::size_t m = 0; m < pairs; ++m)
      gemm({x.data(), kDepth, rows, kDepth, kCols, a.data() + m * packed, b.data() + m * packed, nullptr, false,
            y.data(), kCols});
    benchmark::DoNotOptimize(y.data());
  }
  perf::report_flops(state, 2.0 * rows * kDepth * kCols * static_cast<double>(pairs));
  state.counters["threads"] = 1;
}

void BM_ProductTypeFold(benchmark::State& state) {
  const auto rows = static_cast<std::uint32_t>(state.range(0));
  constexpr std::uint32_t kSegments = 21, kBlock = 24, kStride = 256, kInputs = 272;
  const std::size_t size = std::size_t{kBlock} * kStride, panels = panels_size(kBlock, kCols);
  const std::vector<float> x = perf::random_floats(std::size_t{kSegments} * rows * kInputs, 1);
  const std::vector<float> dz = perf::random_floats(std::size_t{kSegments} * rows * kCols, 2);  // in column tiles
  // P and Ws as panels one block high; the other weights and the gradients with layer 0's row stride.
  const std::vector<float> ws = perf::random_floats(kSegments * panels, 3), p = perf::random_floats(panels, 4),
                           w = perf::random_floats(size, 5), wt = perf::random_floats(size, 6);
  std::vector<float> dws(kSegments * size), dw(size), dwt(size);
  std::vector<FoldSegment> segments;
  for (std::uint32_t s = 0; s < kSegments; ++s)
    segments.push_back({s * rows, rows, 0, ws.data() + s * panels, dws.data() + s * size});
  const FoldType type{p.data(), wt.data(), dwt.data()};
  const TypeFoldArgs args{x.data(), kInputs, dz.data(), kFoldTileCols, std::size_t{kSegments} * rows * kFoldTileCols,
                          segments.data(), kSegments, &type, 1, kBlock, kCols,
                          kStride, std::size_t{kBlock} * kPanelWidth, w.data(), dw.data()};
  for (auto _ : state) {
    type_fold(args);
    benchmark::DoNotOptimize(dw.data());
  }
  perf::report_flops(state, 2.0 * kSegments * rows * kBlock * kCols);
  state.counters["threads"] = 1;
}

BENCHMARK(BM_ProductGemm)
    ->ArgNames({"rows", "weight_pairs"})
    ->ArgsProduct({{1, 3, 6, 12}, {1, 40}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MinTime(perf::min_time(0.3));
BENCHMARK(BM_ProductTypeFold)
    ->ArgName("rows")
    ->Arg(1)
    ->Arg(6)
    ->Arg(12)
    ->Arg(48)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->MinTime(perf::min_time(0.3));

}  // namespace
