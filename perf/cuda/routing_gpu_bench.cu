// Routing on the GPU (cuda/mmn/kernels/routing.cuh) for criteo-like batches of 4096 and 65536
// rows over 17 x 21 domains with Zipf traffic:
//   RouteByDomainGpu:  block histograms, scan, stable scatter, offsets and the tile table;
//   GatherRowsGpu:     layer inputs into routed order (width 272, h0);
//   ScatterRowsGpu:    outputs back to row order (width 1: the logits; width 272).
// Each is checked against the CPU op (host/mmn/ops/routing.h: the same stable order) first.
// Counted bytes: the least traffic: each input read once, each output written once (routing:
// ids read, order and offsets written; gather and scatter: the order and both row arrays).
// No floating-point work: the bandwidth roofline is the one that applies.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <string>
#include <vector>

#include "agreement.h"
#include "gpu_check.h"
#include "gpu_registration.h"
#include "gpu_roofline.h"
#include "gpu_timer.h"
#include "mmn/device/device_buffer.h"
#include "mmn/kernels/composed_gemm.cuh"
#include "mmn/kernels/routing.cuh"
#include "mmn/ops/routing.h"
#include "ops/op_fixtures.h"

namespace {

using namespace mmn;

// The routing's device buffers, as the CUDA backend keeps them from batch to batch.
struct RoutingBuffers {
  DeviceBuffer<std::uint32_t> domain, order, offsets, block_counts, tiles, tile_starts, tile_count;
  DeviceBuffer<kernels::RouteTile> table;
  kernels::RouteArgs args;

  RoutingBuffers(const std::vector<std::uint32_t>& ids, std::uint32_t n_domains)
      : domain(ids),
        order(ids.size()),
        offsets(n_domains + 1),
        block_counts(std::size_t{n_domains} * kernels::route_blocks(static_cast<std::uint32_t>(ids.size()))),
        tiles(n_domains),
        tile_starts(n_domains),
        tile_count(1),
        table(kernels::route_max_tiles(static_cast<std::uint32_t>(ids.size()), n_domains, kernels::kGemmTileM)) {
    args.domain = domain.data(), args.rows = static_cast<std::uint32_t>(ids.size()), args.n_domains = n_domains;
    args.tile_rows = kernels::kGemmTileM, args.order = order.data(), args.offsets = offsets.data();
    args.block_counts = block_counts.data(), args.tiles = tiles.data(), args.tile_starts = tile_starts.data();
    args.table = table.data(), args.tile_count = tile_count.data();
  }
};

void route_by_domain_gpu(benchmark::State& state) {
  perf::run_on_gpu(state, [](benchmark::State& s) {
    const auto rows = static_cast<std::size_t>(s.range(0));
    const std::uint32_t n_domains = perf::kCriteoGrid.n_domains();
    const std::vector<std::uint32_t> domain = perf::zipf_domains(rows, n_domains, 3);
    RoutingBuffers b(domain, n_domains);
    const auto work = [&] { kernels::route_by_domain(b.args, nullptr); };
    work();
    perf::check_cuda(cudaDeviceSynchronize(), "route_by_domain");
    perf::check_once("route/" + std::to_string(rows), [&] {
      Routing want;
      route_by_domain(domain.data(), rows, n_domains, want);
      perf::expect_agrees("routing order", b.order.download(), want.order, 0.0);
      perf::expect_agrees("routing offsets", b.offsets.download(), want.offsets, 0.0);
    });
    const double seconds = perf::time_iterations(s, work);
    perf::report_gpu_work(s, {0.0, 4.0 * (2.0 * static_cast<double>(rows) + n_domains + 1)}, seconds);
  });
}
BENCHMARK(route_by_domain_gpu)
    ->Name("RouteByDomainGpu")
    ->ArgName("rows")
    ->Arg(perf::kGpuBatches[0])
    ->Arg(perf::kGpuBatches[1])
    ->Apply(perf::gpu_timed);

// One block per routed row (grid-stride past 4096 blocks), a warp-multiple of threads up to 256.
void move_rows(benchmark::State& state, bool gather) {
  perf::run_on_gpu(state, [gather](benchmark::State& s) {
    const auto width = static_cast<std::uint32_t>(s.range(0));
    const auto rows = static_cast<std::uint32_t>(s.range(1));
    const std::vector<std::uint32_t> domain = perf::zipf_domains(rows, perf::kCriteoGrid.n_domains(), 3);
    Routing routing;
    route_by_domain(domain.data(), rows, perf::kCriteoGrid.n_domains(), routing);
    const std::vector<float> in = perf::random_floats(std::size_t{rows} * width, 1);
    const DeviceBuffer<std::uint32_t> order(routing.order);
    const DeviceBuffer<float> in_dev(in);
    DeviceBuffer<float> out_dev(in.size());
    const dim3 grid(std::min(rows, 4096u)), block(std::min((width + 31) / 32 * 32, 256u));
    const auto work = [&] {
      if (gather) {
        MMN_LAUNCH(kernels::gather_rows, grid, block, 0, nullptr, order.data(), rows, in_dev.data(), width,
                   out_dev.data());
      } else {
        MMN_LAUNCH(kernels::scatter_rows, grid, block, 0, nullptr, order.data(), rows, in_dev.data(), width,
                   out_dev.data(), false);
      }
    };
    work();
    perf::check_cuda(cudaDeviceSynchronize(), gather ? "gather_rows" : "scatter_rows");
    perf::check_once(std::string(gather ? "gather/" : "scatter/") + std::to_string(width) + "/" + std::to_string(rows),
                     [&] {
                       std::vector<float> want(in.size());
                       if (gather)
                         gather_rows(routing, in.data(), width, want.data());
                       else
                         scatter_rows(routing, in.data(), width, want.data(), false);
                       perf::expect_agrees(gather ? "gather_rows" : "scatter_rows", out_dev.download(), want, 0.0);
                     });
    const double seconds = perf::time_iterations(s, work);
    perf::report_gpu_work(s, {0.0, static_cast<double>(rows) * (8.0 * width + 4.0)}, seconds);
  });
}

void gather_rows_gpu(benchmark::State& state) { move_rows(state, true); }
void scatter_rows_gpu(benchmark::State& state) { move_rows(state, false); }
BENCHMARK(gather_rows_gpu)
    ->Name("GatherRowsGpu")
    ->ArgsProduct({{272}, {perf::kGpuBatches[0], perf::kGpuBatches[1]}})
    ->ArgNames({"width", "rows"})
    ->Apply(perf::gpu_timed);
BENCHMARK(scatter_rows_gpu)
    ->Name("ScatterRowsGpu")
    ->ArgsProduct({{1, 272}, {perf::kGpuBatches[0], perf::kGpuBatches[1]}})
    ->ArgNames({"width", "rows"})
    ->Apply(perf::gpu_timed);

}  // namespace
