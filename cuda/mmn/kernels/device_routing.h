#pragma once
// One batch's routing on the device, with every buffer it needs, in the form the grouped
// GEMM takes (composed_gemm.cuh). Host code: tests, the kernel lab, the CUDA backend.
#include <cstdint>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/kernels/composed_gemm.cuh"
#include "mmn/kernels/routing.cuh"

namespace mmn::kernels {

class DeviceRouting {
 public:
  // Uploads the domain ids (each < n_domains) and routes them on `stream`.
  DeviceRouting(const std::vector<std::uint32_t>& domain, std::uint32_t n_domains, cudaStream_t stream)
      : rows_(static_cast<std::uint32_t>(domain.size())),
        domain_(domain),
        order_(rows_),
        offsets_(n_domains + 1),
        block_counts_(static_cast<std::size_t>(n_domains) * route_blocks(rows_)),
        tiles_(n_domains),
        tile_starts_(n_domains),
        tile_count_(1),
        table_(route_max_tiles(rows_, n_domains, kGemmTileM)) {
    RouteArgs a;
    a.domain = domain_.data(), a.rows = rows_, a.n_domains = n_domains, a.tile_rows = kGemmTileM;
    a.order = order_.data(), a.offsets = offsets_.data(), a.block_counts = block_counts_.data();
    a.tiles = tiles_.data(), a.tile_starts = tile_starts_.data(), a.table = table_.data();
    a.tile_count = tile_count_.data();
    route_by_domain(a, stream);
    routing_.table = table_.data(), routing_.tile_count = tile_count_.data();
    routing_.max_tiles = static_cast<std::uint32_t>(table_.size());
    routing_.offsets = offsets_.data(), routing_.order = order_.data();
    routing_.rows = rows_, routing_.n_domains = n_domains;
  }

  const ComposedRouting& routing() const { return routing_; }

 private:
  std::uint32_t rows_;
  DeviceBuffer<std::uint32_t> domain_, order_, offsets_, block_counts_, tiles_, tile_starts_, tile_count_;
  DeviceBuffer<RouteTile> table_;
  ComposedRouting routing_;
};

}  // namespace mmn::kernels
