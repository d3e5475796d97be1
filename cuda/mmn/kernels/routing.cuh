#pragma once
// Routing on the device, the same result as the CPU op (host/mmn/ops/routing.h): a stable
// counting sort of rows by domain, its segment offsets, and the table of row tiles the
// grouped GEMM walks, all without a host synchronisation.
//   1. route_block_histogram: each block of kRouteRows rows counts its domains in shared
//      memory and writes them domain-major: block_counts[d * blocks + b].
//   2. exclusive_scan_one_block over block_counts: block b's first position for domain d.
//   3. route_scatter: a row's position is that start plus its rank among the block's earlier
//      rows of the same domain (stable), so order[] is exact and schedule-independent.
//   4. route_offsets, and the tile table: per domain ceil(rows / tile_rows) tiles, scanned,
//      each tile's (domain, first row, end row). The host sizes the GEMM grid by an upper
//      bound (route_max_tiles); blocks past *tile_count exit.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "mmn/device/kernel_api.h"

namespace mmn::kernels {

constexpr unsigned kRouteRows = 256;           // rows (= threads) per block of the sort
constexpr unsigned kScanThreads = 1024;        // the one block of exclusive_scan_one_block
constexpr unsigned kRouteMaxDomains = 8192;    // shared memory of the histogram: 4 bytes each

struct RouteTile {
  std::uint32_t domain;
  std::uint32_t row_begin;  // routed positions
  std::uint32_t row_end;
};

__host__ __device__ inline unsigned route_blocks(std::uint32_t rows) { return rows == 0 ? 1u : (rows + kRouteRows - 1) / kRouteRows; }

// Tiles of at most tile_rows rows per domain: at most one partial tile per domain with rows.
__host__ __device__ inline std::uint32_t route_max_tiles(std::uint32_t rows, std::uint32_t n_domains,
                                                         std::uint32_t tile_rows) {
  return (rows + tile_rows - 1) / tile_rows + (n_domains < rows ? n_domains : rows);
}

static __global__ void route_block_histogram(const std::uint32_t* domain, std::uint32_t rows, std::uint32_t n_domains,
                                      std::uint32_t* block_counts) {
  MMN_DYNAMIC_SHARED(unsigned int, local);
  for (std::uint32_t d = threadIdx.x; d < n_domains; d += blockDim.x) local[d] = 0;
  __syncthreads();
  const std::uint32_t row = blockIdx.x * kRouteRows + threadIdx.x;
  if (row < rows) atomicAdd(&local[domain[row]], 1u);
  __syncthreads();
  for (std::uint32_t d = threadIdx.x; d < n_domains; d += blockDim.x) block_counts[d * gridDim.x + blockIdx.x] = local[d];
}

// out[i] = in[0] + ... + in[i-1] for i < n (in and out may be the same array); *total = the
// sum of all n, when total is not null. One block of kScanThreads threads, any n.
static __global__ void exclusive_scan_one_block(const std::uint32_t* in, std::uint32_t n, std::uint32_t* out,
                                         std::uint32_t* total) {
  __shared__ std::uint32_t part[kScanThreads];
  const std::uint32_t chunk = (n + kScanThreads - 1) / kScanThreads;
  const std::uint32_t begin = threadIdx.x * chunk;
  const std::uint32_t end = begin + chunk < n ? begin + chunk : n;
  std::uint32_t sum = 0;
  for (std::uint32_t i = begin; i < end; ++i) sum += in[i];
  part[threadIdx.x] = sum;
  __syncthreads();
  for (unsigned offset = 1; offset < kScanThreads; offset <<= 1) {  // inclusive scan of the chunk sums
    const std::uint32_t left = threadIdx.x >= offset ? part[threadIdx.x - offset] : 0u;
    __syncthreads();
    part[threadIdx.x] += left;
    __syncthreads();
  }
  std::uint32_t running = threadIdx.x > 0 ? part[threadIdx.x - 1] : 0u;
  for (std::uint32_t i = begin; i < end; ++i) {
    const std::uint32_t v = in[i];
    out[i] = running;
    running += v;
  }
  if (total != nullptr && threadIdx.x == kScanThreads - 1) *total = part[kScanThreads - 1];
}

static __global__ void route_scatter(const std::uint32_t* domain, std::uint32_t rows, const std::uint32_t* block_starts,
                              std::uint32_t* order) {
  __shared__ std::uint32_t block_domain[kRouteRows];
  const std::uint32_t row = blockIdx.x * kRouteRows + threadIdx.x;
  const std::uint32_t d = row < rows ? domain[row] : 0xffffffffu;
  block_domain[threadIdx.x] = d;
  __syncthreads();
  if (row >= rows) return;
  std::uint32_t rank = 0;
  for (unsigned j = 0; j < threadIdx.x; ++j) rank += block_domain[j] == d ? 1u : 0u;
  order[block_starts[d * gridDim.x + blockIdx.x] + rank] = row;
}

static __global__ void route_offsets(const std::uint32_t* block_starts, std::uint32_t n_domains, std::uint32_t blocks,
                              std::uint32_t rows, std::uint32_t* offsets) {
  for (std::uint32_t d = blockIdx.x * blockDim.x + threadIdx.x; d <= n_domains; d += gridDim.x * blockDim.x)
    offsets[d] = d < n_domains ? block_starts[d * blocks] : rows;
}

static __global__ void route_tile_counts(const std::uint32_t* offsets, std::uint32_t n_domains, std::uint32_t tile_rows,
                                  std::uint32_t* tiles) {
  for (std::uint32_t d = blockIdx.x * blockDim.x + threadIdx.x; d < n_domains; d += gridDim.x * blockDim.x)
    tiles[d] = (offsets[d + 1] - offsets[d] + tile_rows - 1) / tile_rows;
}

static __global__ void route_tile_table(const std::uint32_t* offsets, const std::uint32_t* tile_starts, std::uint32_t n_domains,
                                 std::uint32_t tile_rows, RouteTile* table) {
  for (std::uint32_t d = blockIdx.x * blockDim.x + threadIdx.x; d < n_domains; d += gridDim.x * blockDim.x) {
    const std::uint32_t end = offsets[d + 1];
    std::uint32_t t = tile_starts[d];
    for (std::uint32_t r = offsets[d]; r < end; r += tile_rows, ++t)
      table[t] = RouteTile{d, r, r + tile_rows < end ? r + tile_rows : end};
  }
}

// out[k * width + j] = in[order[k] * width + j]; one block per routed row.
static __global__ void gather_rows(const std::uint32_t* order, std::uint32_t rows, const float* in, std::uint32_t width,
                            float* out) {
  for (std::uint32_t k = blockIdx.x; k < rows; k += gridDim.x) {
    const float* src = in + static_cast<std::size_t>(order[k]) * width;
    float* dst = out + static_cast<std::size_t>(k) * width;
    for (std::uint32_t j = threadIdx.x; j < width; j += blockDim.x) dst[j] = src[j];
  }
}

// out[order[k] * width + j] (+)= in[k * width + j]; order is a permutation, so no two
// blocks write one element.
static __global__ void scatter_rows(const std::uint32_t* order, std::uint32_t rows, const float* in, std::uint32_t width,
                             float* out, bool accumulate) {
  for (std::uint32_t k = blockIdx.x; k < rows; k += gridDim.x) {
    const float* src = in + static_cast<std::size_t>(k) * width;
    float* dst = out + static_cast<std::size_t>(order[k]) * width;
    for (std::uint32_t j = threadIdx.x; j < width; j += blockDim.x) dst[j] = accumulate ? dst[j] + src[j] : src[j];
  }
}

// Device pointers of one routing. Workspace sizes: block_counts n_domains * route_blocks(rows),
// tiles and tile_starts n_domains; table route_max_tiles(rows, n_domains, tile_rows).
struct RouteArgs {
  const std::uint32_t* domain = nullptr;  // every id < n_domains
  std::uint32_t rows = 0;
  std::uint32_t n_domains = 0;
  std::uint32_t tile_rows = 64;
  std::uint32_t* order = nullptr;         // rows
  std::uint32_t* offsets = nullptr;       // n_domains + 1
  std::uint32_t* block_counts = nullptr;
  std::uint32_t* tiles = nullptr;
  std::uint32_t* tile_starts = nullptr;
  RouteTile* table = nullptr;
  std::uint32_t* tile_count = nullptr;    // 1
};

inline void route_by_domain(const RouteArgs& a, cudaStream_t stream) {
  if (a.n_domains == 0 || a.n_domains > kRouteMaxDomains)
    throw std::invalid_argument("route_by_domain: n_domains must be 1.." + std::to_string(kRouteMaxDomains));
  if (a.tile_rows == 0) throw std::invalid_argument("route_by_domain: tile_rows must be positive");
  const unsigned blocks = route_blocks(a.rows);
  const unsigned small_grid = (a.n_domains + kRouteRows) / kRouteRows;
  MMN_LAUNCH(route_block_histogram, dim3(blocks), dim3(kRouteRows), a.n_domains * sizeof(unsigned int), stream,
             a.domain, a.rows, a.n_domains, a.block_counts);
  MMN_LAUNCH(exclusive_scan_one_block, dim3(1), dim3(kScanThreads), 0, stream,
             static_cast<const std::uint32_t*>(a.block_counts), a.n_domains * blocks, a.block_counts,
             static_cast<std::uint32_t*>(nullptr));
  MMN_LAUNCH(route_scatter, dim3(blocks), dim3(kRouteRows), 0, stream, a.domain, a.rows,
             static_cast<const std::uint32_t*>(a.block_counts), a.order);
  MMN_LAUNCH(route_offsets, dim3(small_grid), dim3(kRouteRows), 0, stream,
             static_cast<const std::uint32_t*>(a.block_counts), a.n_domains, blocks, a.rows, a.offsets);
  MMN_LAUNCH(route_tile_counts, dim3(small_grid), dim3(kRouteRows), 0, stream,
             static_cast<const std::uint32_t*>(a.offsets), a.n_domains, a.tile_rows, a.tiles);
  MMN_LAUNCH(exclusive_scan_one_block, dim3(1), dim3(kScanThreads), 0, stream,
             static_cast<const std::uint32_t*>(a.tiles), a.n_domains, a.tile_starts, a.tile_count);
  MMN_LAUNCH(route_tile_table, dim3(small_grid), dim3(kRouteRows), 0, stream,
             static_cast<const std::uint32_t*>(a.offsets), static_cast<const std::uint32_t*>(a.tile_starts),
             a.n_domains, a.tile_rows, a.table);
}

}  // namespace mmn::kernels
