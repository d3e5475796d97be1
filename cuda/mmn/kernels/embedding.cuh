#pragma once
// Embedding tables on the device, the same results as the CPU ops (host/mmn/ops/embedding.h).
//   Forward, embedding_gather: one thread per element of h0 = [E_f[id_f] for each field, dense].
//   Backward, embedding_backward, per field:
//     1. sort_pairs_by_key: a stable LSD radix sort of (id, row) pairs by id, 8 bits per pass
//        over only the bits the vocabulary needs. A pass is routing.cuh's counting sort with the
//        digit as the domain: block histograms in shared memory (digit-major), one exclusive
//        scan, a stable scatter (a row's rank among its block's earlier rows with its digit).
//        Stable, so each id's rows stay in ascending row order.
//     2. segment_bounds: the first row of each run of equal ids, numbered by an exclusive scan
//        of those heads: the unique ids, each segment's start, and their count.
//     3. segmented_row_sum: one thread per (segment, column) adds its rows' gradients in sorted
//        order, which is row order, the CPU's order: the sums are bitwise the CPU's. No atomics.
//   A segment is summed by one thread, so a hot id costs its row count in latency (a field of
//   vocabulary 10 at batch 65536: ~6500 dependent loads). Integer atomics only in histograms.
//   Data parallelism, merge_rank_rows: the ranks' sparse gradients of a table, concatenated in
//   rank order, go through the same sort and segmented sum.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/device/kernel_api.h"
#include "mmn/kernels/routing.cuh"

namespace mmn::kernels {

constexpr unsigned kSortDigitBits = 8;
constexpr unsigned kSortBuckets = 1u << kSortDigitBits;
constexpr unsigned kSortRows = kSortBuckets;  // rows (= threads) per block of a pass: one bucket each
constexpr unsigned kElementThreads = 256;     // threads per block of the elementwise kernels
constexpr unsigned kElementMaxBlocks = 4096;  // grid-stride beyond this

__host__ __device__ inline unsigned sort_blocks(std::uint32_t n) { return n == 0 ? 1u : (n + kSortRows - 1) / kSortRows; }

// Blocks for one thread per element of `elements`, grid-stride past kElementMaxBlocks.
inline unsigned element_blocks(std::size_t elements) {
  const std::size_t blocks = (elements + kElementThreads - 1) / kElementThreads;
  return blocks == 0 ? 1u : static_cast<unsigned>(blocks < kElementMaxBlocks ? blocks : kElementMaxBlocks);
}

// The bits that hold every id below vocab (at least one).
inline unsigned key_bits_for(std::uint32_t vocab) {
  unsigned bits = 1;
  while (bits < 32 && (std::uint64_t{1} << bits) < vocab) ++bits;
  return bits;
}

// block_counts[digit * gridDim.x + block]: the rows of the block whose key has that digit.
static __global__ void radix_block_histogram(const std::uint32_t* keys, std::uint32_t n, unsigned shift,
                                      std::uint32_t* block_counts) {
  __shared__ unsigned int local[kSortBuckets];
  local[threadIdx.x] = 0;
  __syncthreads();
  const std::uint32_t i = blockIdx.x * kSortRows + threadIdx.x;
  if (i < n) atomicAdd(&local[(keys[i] >> shift) & (kSortBuckets - 1)], 1u);
  __syncthreads();
  block_counts[threadIdx.x * gridDim.x + blockIdx.x] = local[threadIdx.x];
}

// block_starts as exclusive_scan_one_block leaves block_counts: the first output position of
// each (digit, block).
static __global__ void radix_scatter(const std::uint32_t* keys_in, const std::uint32_t* values_in, std::uint32_t n,
                              unsigned shift, const std::uint32_t* block_starts, std::uint32_t* keys_out,
                              std::uint32_t* values_out) {
  __shared__ std::uint32_t digit_of[kSortRows];
  const std::uint32_t i = blockIdx.x * kSortRows + threadIdx.x;
  const std::uint32_t digit = i < n ? (keys_in[i] >> shift) & (kSortBuckets - 1) : kSortBuckets;
  digit_of[threadIdx.x] = digit;
  __syncthreads();
  if (i >= n) return;
  std::uint32_t rank = 0;
  for (unsigned j = 0; j < threadIdx.x; ++j) rank += digit_of[j] == digit ? 1u : 0u;
  const std::uint32_t to = block_starts[digit * gridDim.x + blockIdx.x] + rank;
  keys_out[to] = keys_in[i];
  values_out[to] = values_in[i];
}

static __global__ void fill_row_numbers(std::uint32_t* rows, std::uint32_t n) {
  for (std::uint32_t i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x) rows[i] = i;
}

// Device pointers of one sort. Every key < 2^key_bits (1..32). The inputs are read only; the
// outputs and the temporaries hold n each, block_counts kSortBuckets * sort_blocks(n).
struct SortPairsArgs {
  const std::uint32_t* keys_in = nullptr;
  const std::uint32_t* values_in = nullptr;
  std::uint32_t n = 0;
  unsigned key_bits = 32;
  std::uint32_t* keys_out = nullptr;
  std::uint32_t* values_out = nullptr;
  std::uint32_t* keys_tmp = nullptr;
  std::uint32_t* values_tmp = nullptr;
  std::uint32_t* block_counts = nullptr;
};

// Stable: pairs with equal keys keep their input order.
inline void sort_pairs_by_key(const SortPairsArgs& a, cudaStream_t stream) {
  if (a.key_bits == 0 || a.key_bits > 32) throw std::invalid_argument("sort_pairs_by_key: key_bits must be 1..32");
  const unsigned passes = (a.key_bits + kSortDigitBits - 1) / kSortDigitBits;
  const unsigned blocks = sort_blocks(a.n);
  const std::uint32_t* keys = a.keys_in;
  const std::uint32_t* values = a.values_in;
  for (unsigned pass = 0; pass < passes; ++pass) {
    const bool last_goes_out = (passes - 1 - pass) % 2 == 0;  // alternate so the last pass writes the outputs
    std::uint32_t* keys_to = last_goes_out ? a.keys_out : a.keys_tmp;
    std::uint32_t* values_to = last_goes_out ? a.values_out : a.values_tmp;
    const unsigned shift = pass * kSortDigitBits;
    MMN_LAUNCH(radix_block_histogram, dim3(blocks), dim3(kSortRows), 0, stream, keys, a.n, shift, a.block_counts);
    MMN_LAUNCH(exclusive_scan_one_block, dim3(1), dim3(kScanThreads), 0, stream,
               static_cast<const std::uint32_t*>(a.block_counts), kSortBuckets * blocks, a.block_counts,
               static_cast<std::uint32_t*>(nullptr));
    MMN_LAUNCH(radix_scatter, dim3(blocks), dim3(kSortRows), 0, stream, keys, values, a.n, shift,
               static_cast<const std::uint32_t*>(a.block_counts), keys_to, values_to);
    keys = keys_to;
    values = values_to;
  }
}

// The sort's device memory for up to n pairs (inputs excluded).
struct SortWorkspace {
  explicit SortWorkspace(std::uint32_t n)
      : keys(n), values(n), keys_tmp(n), values_tmp(n), block_counts(std::size_t{kSortBuckets} * sort_blocks(n)) {}
  DeviceBuffer<std::uint32_t> keys, values, keys_tmp, values_tmp, block_counts;

  SortPairsArgs args(const std::uint32_t* keys_in, const std::uint32_t* values_in, std::uint32_t n, unsigned key_bits) {
    if (n > keys.size()) throw std::invalid_argument("SortWorkspace: " + std::to_string(n) + " pairs into a workspace of " +
                                                     std::to_string(keys.size()));
    SortPairsArgs a;
    a.keys_in = keys_in, a.values_in = values_in, a.n = n, a.key_bits = key_bits;
    a.keys_out = keys.data(), a.values_out = values.data(), a.keys_tmp = keys_tmp.data();
    a.values_tmp = values_tmp.data(), a.block_counts = block_counts.data();
    return a;
  }
};

// --- forward ---

// Device pointers; tables, ids and dense are device arrays of device pointers.
struct EmbeddingGatherArgs {
  const float* const* tables = nullptr;       // fields; table f: vocab_f x dim
  const std::uint32_t* const* ids = nullptr;  // fields; rows ids each
  const float* const* dense = nullptr;        // dense_count; rows values each
  std::uint32_t fields = 0, dim = 0, dense_count = 0, rows = 0;
  float* h0 = nullptr;  // rows x (fields * dim + dense_count), row-major
};

static __global__ void gather_embeddings(EmbeddingGatherArgs a) {
  const std::size_t embedded = std::size_t{a.fields} * a.dim;
  const std::size_t width = embedded + a.dense_count;
  const std::size_t total = width * a.rows;
  for (std::size_t t = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; t < total;
       t += std::size_t{gridDim.x} * blockDim.x) {
    const std::size_t row = t / width, column = t % width;
    if (column < embedded) {
      const std::size_t f = column / a.dim, j = column % a.dim;
      a.h0[t] = a.tables[f][std::size_t{a.ids[f][row]} * a.dim + j];
    } else {
      a.h0[t] = a.dense[column - embedded][row];
    }
  }
}

inline void embedding_gather(const EmbeddingGatherArgs& a, cudaStream_t stream) {
  if (a.fields > 0 && a.dim == 0) throw std::invalid_argument("embedding_gather: dim must be positive");
  const std::size_t total = (std::size_t{a.fields} * a.dim + a.dense_count) * a.rows;
  MMN_LAUNCH(gather_embeddings, dim3(element_blocks(total)), dim3(kElementThreads), 0, stream, a);
}

// --- backward ---

// After the scan, segment_of[k] = the number of runs that start before position k.
static __global__ void mark_segment_heads(const std::uint32_t* sorted_ids, std::uint32_t n, std::uint32_t* heads) {
  for (std::uint32_t k = blockIdx.x * blockDim.x + threadIdx.x; k < n; k += gridDim.x * blockDim.x)
    heads[k] = k == 0 || sorted_ids[k] != sorted_ids[k - 1] ? 1u : 0u;
}

// unique_ids[s], starts[s] for each segment s, and starts[count] = n.
static __global__ void segment_bounds(const std::uint32_t* sorted_ids, const std::uint32_t* segment_of, std::uint32_t n,
                               std::uint32_t* unique_ids, std::uint32_t* starts) {
  for (std::uint32_t k = blockIdx.x * blockDim.x + threadIdx.x; k < n; k += gridDim.x * blockDim.x) {
    const bool head = k == 0 || sorted_ids[k] != sorted_ids[k - 1];
    if (head) {
      starts[segment_of[k]] = k;
      unique_ids[segment_of[k]] = sorted_ids[k];
    }
    if (k == n - 1) starts[segment_of[k] + (head ? 1u : 0u)] = n;
  }
}

// grads[s * dim + j] = the sum over segment s's rows, in sorted order, of dh0[row][column0 + j].
static __global__ void segmented_row_sum(const float* dh0, std::uint32_t h0_width, std::uint32_t column0, std::uint32_t dim,
                                  const std::uint32_t* sorted_rows, const std::uint32_t* starts,
                                  const std::uint32_t* count, float* grads) {
  const std::size_t total = std::size_t{*count} * dim;
  for (std::size_t t = std::size_t{blockIdx.x} * blockDim.x + threadIdx.x; t < total;
       t += std::size_t{gridDim.x} * blockDim.x) {
    const std::size_t segment = t / dim, j = t % dim;
    float sum = 0.0f;
    const std::uint32_t end = starts[segment + 1];
    for (std::uint32_t k = starts[segment]; k < end; ++k)
      sum += dh0[std::size_t{sorted_rows[k]} * h0_width + column0 + j];
    grads[t] = sum;
  }
}

// One field's sparse gradient, device pointers: the first *count entries are the result.
struct EmbeddingFieldGrad {
  const std::uint32_t* ids = nullptr;  // rows ids, each < vocab
  std::uint32_t vocab = 0;
  std::uint32_t* unique_ids = nullptr;  // rows
  float* grads = nullptr;               // rows x dim
  std::uint32_t* count = nullptr;       // 1
};

// The backward's device memory for batches of up to `rows` rows.
struct EmbeddingBackwardWorkspace {
  explicit EmbeddingBackwardWorkspace(std::uint32_t rows)
      : sort(rows), row_numbers(rows), segment_of(rows), starts(std::size_t{rows} + 1) {}
  SortWorkspace sort;
  DeviceBuffer<std::uint32_t> row_numbers, segment_of, starts;
};

// The rows of each id summed in row order: for the n entries ids[k] (each < vocab) and their
// rows (row k: dim floats at rows[k * row_stride + column0]), out.unique_ids the distinct ids
// ascending, out.grads their sums, *out.count how many. row_numbers holds 0, 1, ..., n - 1.
inline void sum_rows_by_id(const std::uint32_t* ids, std::uint32_t n, const float* rows, std::uint32_t row_stride,
                           std::uint32_t column0, std::uint32_t dim, const EmbeddingFieldGrad& out,
                           const std::uint32_t* row_numbers, EmbeddingBackwardWorkspace& w, cudaStream_t stream) {
  const unsigned blocks = element_blocks(n);
  const SortPairsArgs s = w.sort.args(ids, row_numbers, n, key_bits_for(out.vocab));
  sort_pairs_by_key(s, stream);
  MMN_LAUNCH(mark_segment_heads, dim3(blocks), dim3(kElementThreads), 0, stream,
             static_cast<const std::uint32_t*>(s.keys_out), n, w.segment_of.data());
  MMN_LAUNCH(exclusive_scan_one_block, dim3(1), dim3(kScanThreads), 0, stream,
             static_cast<const std::uint32_t*>(w.segment_of.data()), n, w.segment_of.data(), out.count);
  MMN_LAUNCH(segment_bounds, dim3(blocks), dim3(kElementThreads), 0, stream,
             static_cast<const std::uint32_t*>(s.keys_out), static_cast<const std::uint32_t*>(w.segment_of.data()), n,
             out.unique_ids, w.starts.data());
  MMN_LAUNCH(segmented_row_sum, dim3(element_blocks(std::size_t{n} * dim)), dim3(kElementThreads), 0, stream, rows,
             row_stride, column0, dim, static_cast<const std::uint32_t*>(s.values_out),
             static_cast<const std::uint32_t*>(w.starts.data()), static_cast<const std::uint32_t*>(out.count),
             out.grads);
}

// dh0: rows x h0_width; field f's slice starts at column f * dim. One EmbeddingFieldGrad per field.
inline void embedding_backward(std::uint32_t dim, const std::vector<EmbeddingFieldGrad>& fields, std::uint32_t rows,
                               const float* dh0, std::uint32_t h0_width, EmbeddingBackwardWorkspace& w,
                               cudaStream_t stream) {
  if (dim == 0) throw std::invalid_argument("embedding_backward: dim must be positive");
  if (std::size_t{dim} * fields.size() > h0_width)
    throw std::invalid_argument("embedding_backward: " + std::to_string(fields.size()) + " fields of dim " +
                                std::to_string(dim) + " do not fit in h0 width " + std::to_string(h0_width));
  if (rows > w.row_numbers.size())
    throw std::invalid_argument("embedding_backward: " + std::to_string(rows) + " rows into a workspace of " +
                                std::to_string(w.row_numbers.size()));
  MMN_LAUNCH(fill_row_numbers, dim3(element_blocks(rows)), dim3(kElementThreads), 0, stream, w.row_numbers.data(),
             rows);
  for (std::size_t f = 0; f < fields.size(); ++f)
    sum_rows_by_id(fields[f].ids, rows, dh0, h0_width, static_cast<std::uint32_t>(f * dim), dim, fields[f],
                   w.row_numbers.data(), w, stream);
}

// Every rank's sparse gradient of one table, concatenated in rank order (each rank's ids
// unique and ascending), merged: the distinct ids ascending, each row the sum of the ranks'
// rows in rank order (as the host's merge_sparse_rows adds them: bitwise the same). n entries.
inline void merge_rank_rows(const std::uint32_t* ids, const float* grads, std::uint32_t n, std::uint32_t dim,
                            const EmbeddingFieldGrad& out, EmbeddingBackwardWorkspace& w, cudaStream_t stream) {
  if (dim == 0) throw std::invalid_argument("merge_rank_rows: dim must be positive");
  if (n > w.row_numbers.size())
    throw std::invalid_argument("merge_rank_rows: " + std::to_string(n) + " rows into a workspace of " +
                                std::to_string(w.row_numbers.size()));
  MMN_LAUNCH(fill_row_numbers, dim3(element_blocks(n)), dim3(kElementThreads), 0, stream, w.row_numbers.data(), n);
  sum_rows_by_id(ids, n, grads, dim, 0, dim, out, w.row_numbers.data(), w, stream);
}

}  // namespace mmn::kernels
