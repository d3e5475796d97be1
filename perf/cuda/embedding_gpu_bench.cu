// Embeddings on the GPU (cuda/mmn/kernels/embedding.cuh) for criteo-like batches of 4096 and
// 65536 rows (17 fields of dimension 16, vocabularies 10 .. 10^6, 4 dense features):
//   EmbeddingGatherGpu:    h0 = [E_f[id_f] for each field, dense];
//   EmbeddingBackwardGpu:  per field, ids sorted (radix), runs found, gradient rows summed.
// Each is checked against the CPU op (host/mmn/ops/embedding.h) first. Counted bytes: the least
// traffic, as perf/ops/embedding_bench.cpp counts it: gather: ids, embedding rows and dense
// features read, h0 written; backward: ids and gradient slices read, unique ids and summed rows
// written (the sort's passes are not counted: the fraction says how far the sort is from that).
// No floating-point work to speak of: the bandwidth roofline is the one that applies.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "agreement.h"
#include "gpu_check.h"
#include "gpu_registration.h"
#include "gpu_roofline.h"
#include "gpu_timer.h"
#include "mmn/device/device_buffer.h"
#include "mmn/kernels/embedding.cuh"
#include "mmn/ops/embedding.h"
#include "mmn/util/thread_pool.h"
#include "ops/op_fixtures.h"
#include "train/criteo_like_batch.h"

namespace {

using namespace mmn;

constexpr std::uint32_t kDim = 16;

// A criteo-like batch's ids and dense features on the device.
struct EmbeddingBatch {
  Schema schema = perf::criteo_like_schema();
  ColumnBlock batch;
  std::vector<DeviceBuffer<std::uint32_t>> ids;
  std::vector<DeviceBuffer<float>> dense;
  std::uint32_t rows, fields, width;

  explicit EmbeddingBatch(std::uint32_t n)
      : batch(perf::criteo_like_batch(schema, n, 2)),
        rows(n),
        fields(static_cast<std::uint32_t>(schema.categorical.size())),
        width(fields * kDim + static_cast<std::uint32_t>(schema.dense.size())) {
    for (const auto& column : batch.categorical) ids.emplace_back(column);
    for (const auto& column : batch.dense) dense.emplace_back(column);
  }
  std::vector<const std::uint32_t*> host_ids() const {
    std::vector<const std::uint32_t*> out;
    for (const auto& column : batch.categorical) out.push_back(column.data());
    return out;
  }
};

template <typename T, typename Buffer>
DeviceBuffer<T> device_pointers(std::vector<Buffer>& buffers) {
  std::vector<T> pointers;
  for (auto& b : buffers) pointers.push_back(b.data());
  return DeviceBuffer<T>(pointers);
}

void embedding_gather_gpu(benchmark::State& state) {
  perf::run_on_gpu(state, [](benchmark::State& s) {
    EmbeddingBatch b(static_cast<std::uint32_t>(s.range(0)));
    std::vector<std::vector<float>> tables;
    std::vector<DeviceBuffer<float>> tables_dev;
    for (std::uint32_t f = 0; f < b.fields; ++f) {
      tables.push_back(perf::random_floats(b.schema.categorical[f].vocab_size * kDim, f));
      tables_dev.emplace_back(tables.back());
    }
    const DeviceBuffer<const float*> table_ptrs = device_pointers<const float*>(tables_dev);
    const DeviceBuffer<const std::uint32_t*> id_ptrs = device_pointers<const std::uint32_t*>(b.ids);
    const DeviceBuffer<const float*> dense_ptrs = device_pointers<const float*>(b.dense);
    DeviceBuffer<float> h0(std::size_t{b.rows} * b.width);
    kernels::EmbeddingGatherArgs a;
    a.tables = table_ptrs.data(), a.ids = id_ptrs.data(), a.dense = dense_ptrs.data();
    a.fields = b.fields, a.dim = kDim, a.dense_count = static_cast<std::uint32_t>(b.dense.size()), a.rows = b.rows;
    a.h0 = h0.data();
    const auto work = [&] { kernels::embedding_gather(a, nullptr); };
    work();
    perf::check_cuda(cudaDeviceSynchronize(), "embedding_gather");
    perf::check_once("gather/" + std::to_string(b.rows), [&] {
      std::vector<const float*> table_host, dense_host;
      for (const auto& t : tables) table_host.push_back(t.data());
      for (const auto& d : b.batch.dense) dense_host.push_back(d.data());
      std::vector<float> want(h0.size());
      embedding_gather(table_host, kDim, b.host_ids(), dense_host, b.rows, want.data());
      perf::expect_agrees("embedding gather", h0.download(), want, 0.0);
    });
    const double seconds = perf::time_iterations(s, work);
    const double rows = b.rows,
                 read = rows * (b.fields * (4.0 + 4.0 * kDim) + 4.0 * static_cast<double>(b.dense.size()));
    perf::report_gpu_work(s, {0.0, read + rows * 4.0 * b.width}, seconds);
  });
}
BENCHMARK(embedding_gather_gpu)
    ->Name("EmbeddingGatherGpu")
    ->ArgName("rows")
    ->Arg(perf::kGpuBatches[0])
    ->Arg(perf::kGpuBatches[1])
    ->Apply(perf::gpu_timed);

void embedding_backward_gpu(benchmark::State& state) {
  perf::run_on_gpu(state, [](benchmark::State& s) {
    EmbeddingBatch b(static_cast<std::uint32_t>(s.range(0)));
    const std::vector<float> dh0 = perf::random_floats(std::size_t{b.rows} * b.width, 3);
    const DeviceBuffer<float> dh0_dev(dh0);
    std::vector<DeviceBuffer<std::uint32_t>> unique_ids, counts;
    std::vector<DeviceBuffer<float>> grads;
    std::vector<kernels::EmbeddingFieldGrad> fields;
    for (std::uint32_t f = 0; f < b.fields; ++f) {
      unique_ids.emplace_back(b.rows);
      counts.emplace_back(1);
      grads.emplace_back(std::size_t{b.rows} * kDim);
    }
    for (std::uint32_t f = 0; f < b.fields; ++f) {
      kernels::EmbeddingFieldGrad field;
      field.ids = b.ids[f].data();
      field.vocab = static_cast<std::uint32_t>(b.schema.categorical[f].vocab_size);
      field.unique_ids = unique_ids[f].data(), field.grads = grads[f].data(), field.count = counts[f].data();
      fields.push_back(field);
    }
    kernels::EmbeddingBackwardWorkspace workspace(b.rows);
    const auto work = [&] {
      kernels::embedding_backward(kDim, fields, b.rows, dh0_dev.data(), b.width, workspace, nullptr);
    };
    work();
    perf::check_cuda(cudaDeviceSynchronize(), "embedding_backward");
    double unique_rows = 0;
    for (const auto& c : counts) unique_rows += c.download()[0];
    perf::check_once("backward/" + std::to_string(b.rows), [&] {
      std::vector<SparseRows> want;
      ThreadPool pool;
      embedding_backward(kDim, b.host_ids(), b.rows, dh0.data(), b.width, want, pool);
      for (std::uint32_t f = 0; f < b.fields; ++f) {
        const std::uint32_t count = counts[f].download()[0];
        std::vector<std::uint32_t> got_ids = unique_ids[f].download();
        std::vector<float> got_grads = grads[f].download();
        got_ids.resize(count);
        got_grads.resize(std::size_t{count} * kDim);
        const std::string field = "embedding backward, field " + std::to_string(f);
        perf::expect_agrees((field + " ids").c_str(), got_ids, want[f].ids, 0.0);
        perf::expect_agrees((field + " gradients").c_str(), got_grads, want[f].grads);
      }
    });
    const double seconds = perf::time_iterations(s, work);
    const double read = static_cast<double>(b.rows) * b.fields * (4.0 + 4.0 * kDim);
    perf::report_gpu_work(s, {0.0, read + unique_rows * (4.0 + 4.0 * kDim)}, seconds);
    s.counters["unique_rows"] = unique_rows;
  });
}
BENCHMARK(embedding_backward_gpu)
    ->Name("EmbeddingBackwardGpu")
    ->ArgName("rows")
    ->Arg(perf::kGpuBatches[0])
    ->Arg(perf::kGpuBatches[1])
    ->Apply(perf::gpu_timed);

}  // namespace
