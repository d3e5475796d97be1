#pragma once
// The routing of a batch's rows by domain on the device, in memory kept from batch to batch.
#include <cstdint>

#include "mmn/device/device_buffer.h"
#include "mmn/kernels/composed_gemm.cuh"
#include "mmn/kernels/routing.cuh"

namespace mmn::device {

// One tower's routing: memory for batches of up to max_rows rows.
class RoutingWorkspace {
 public:
  RoutingWorkspace(std::uint32_t max_rows, std::uint32_t n_domains)
      : n_domains_(n_domains),
        order_(max_rows),
        offsets_(n_domains + 1),
        block_counts_(std::size_t{n_domains} * kernels::route_blocks(max_rows)),
        tiles_(n_domains),
        tile_starts_(n_domains),
        tile_count_(1),
        table_(kernels::route_max_tiles(max_rows, n_domains, kernels::kGemmTileM)) {}

  static std::size_t bytes(std::uint32_t max_rows, std::uint32_t n_domains) {
    return 4 * (std::size_t{max_rows} + n_domains + 1 + std::size_t{n_domains} * kernels::route_blocks(max_rows) +
                2 * std::size_t{n_domains} + 1) +
           sizeof(kernels::RouteTile) * kernels::route_max_tiles(max_rows, n_domains, kernels::kGemmTileM);
  }

  kernels::ComposedRouting route(const std::uint32_t* domain, std::uint32_t rows, cudaStream_t stream) {
    kernels::RouteArgs a;
    a.domain = domain, a.rows = rows, a.n_domains = n_domains_, a.tile_rows = kernels::kGemmTileM;
    a.order = order_.data(), a.offsets = offsets_.data(), a.block_counts = block_counts_.data();
    a.tiles = tiles_.data(), a.tile_starts = tile_starts_.data(), a.table = table_.data();
    a.tile_count = tile_count_.data();
    kernels::route_by_domain(a, stream);
    kernels::ComposedRouting r;
    r.table = table_.data(), r.tile_count = tile_count_.data();
    r.max_tiles = kernels::route_max_tiles(rows, n_domains_, kernels::kGemmTileM);
    r.offsets = offsets_.data(), r.order = order_.data();
    r.rows = rows, r.n_domains = n_domains_;
    return r;
  }

 private:
  std::uint32_t n_domains_;
  DeviceBuffer<std::uint32_t> order_, offsets_, block_counts_, tiles_, tile_starts_, tile_count_;
  DeviceBuffer<kernels::RouteTile> table_;
};

}  // namespace mmn::device
