// The tower input h0 (17 embeddings of dimension 16 gathered and concatenated with 4
// dense features) for a criteo-like batch, and the sparse gradient of the embedding
// tables (touched ids sorted, gradient rows summed), as bytes read + written against
// the memory roofline.
#include <benchmark/benchmark.h>

#include "mmn/ops/embedding.h"
#include "mmn/util/thread_pool.h"
#include "op_fixtures.h"
#include "roofline_counters.h"
#include "run_mode.h"
#include "train/criteo_like_batch.h"

namespace {

using namespace mmn;

constexpr std::uint32_t kDim = 16;

struct EmbeddingCase {
  Schema schema = perf::criteo_like_schema();
  ColumnBlock batch = perf::criteo_like_batch(schema, perf::kBatchRows, 2);
  std::vector<std::vector<float>> tables;
  std::vector<const float*> table_ptrs;
  std::vector<const std::uint32_t*> ids;
  std::vector<const float*> dense;
  std::size_t width = 0;

  EmbeddingCase() {
    for (std::size_t f = 0; f < schema.categorical.size(); ++f) {
      tables.push_back(perf::random_floats(schema.categorical[f].vocab_size * kDim, static_cast<std::uint32_t>(f)));
      table_ptrs.push_back(tables.back().data());
      ids.push_back(batch.categorical[f].data());
    }
    for (const auto& d : batch.dense) dense.push_back(d.data());
    width = schema.categorical.size() * kDim + dense.size();
  }
  double rows() const { return static_cast<double>(batch.rows()); }
  double fields() const { return static_cast<double>(ids.size()); }
};

void BM_EmbeddingGather(benchmark::State& state) {
  EmbeddingCase c;
  std::vector<float> h0(c.batch.rows() * c.width);
  for (auto _ : state) {
    embedding_gather(c.table_ptrs, kDim, c.ids, c.dense, c.batch.rows(), h0.data());
    benchmark::DoNotOptimize(h0.data());
  }
  // ids and embedding rows read, dense features read, h0 written
  const double read = c.rows() * (c.fields() * (4.0 + 4.0 * kDim) + 4.0 * static_cast<double>(c.dense.size()));
  perf::report_bytes(state, read + c.rows() * 4.0 * static_cast<double>(c.width));
}

void BM_EmbeddingSparseGradient(benchmark::State& state) {
  EmbeddingCase c;
  const std::vector<float> dh0 = perf::random_floats(c.batch.rows() * c.width, 3);
  std::vector<SparseRows> out;
  ThreadPool pool;
  double unique_rows = 0;
  for (auto _ : state) {
    embedding_backward(kDim, c.ids, c.batch.rows(), dh0.data(), c.width, out, pool);
    benchmark::DoNotOptimize(out.data());
  }
  for (const auto& s : out) unique_rows += static_cast<double>(s.ids.size());
  // ids and gradient slices read; unique ids and summed rows written
  const double read = c.rows() * c.fields() * (4.0 + 4.0 * kDim);
  perf::report_bytes(state, read + unique_rows * (4.0 + 4.0 * kDim));
  state.counters["unique_rows"] = unique_rows;
}

BENCHMARK(BM_EmbeddingGather)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(perf::min_time(0.5));
BENCHMARK(BM_EmbeddingSparseGradient)->Unit(benchmark::kMicrosecond)->UseRealTime()->MinTime(perf::min_time(0.5));

}  // namespace
