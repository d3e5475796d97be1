// Shard read: open a data set and verify every checksum and value (what a trainer
// does before reading), in GB/s and as a fraction of the memory roofline measured here.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <random>

#include "mmn/data/dataset.h"
#include "mmn/util/thread_pool.h"
#include "roofline_counters.h"
#include "run_mode.h"

namespace {

std::string make_dataset() {
  const std::string dir = mmn::perf::scratch_dir("mmn_shard_read_bench");
  std::filesystem::remove_all(dir);
  mmn::Schema schema;
  schema.n_types = 17;
  schema.n_scenarios = 21;
  for (int f = 0; f < 17; ++f) schema.categorical.push_back({"C" + std::to_string(f), 1000});
  for (int f = 0; f < 4; ++f) schema.dense.push_back("I" + std::to_string(f));
  const std::size_t rows = mmn::perf::size_for_run<std::size_t>(2'000'000, 20'000);
  mmn::ColumnBlock block(schema, rows);
  std::mt19937 rng(1);
  for (std::size_t i = 0; i < rows; ++i) {
    block.click[i] = rng() % 2;
    block.conv[i] = block.click[i] & (rng() % 2);
    block.type[i] = rng() % 17;
    block.scenario[i] = rng() % 21;
    for (auto& c : block.categorical) c[i] = rng() % 1000;
    for (auto& d : block.dense) d[i] = static_cast<float>(rng() % 100);
  }
  mmn::DatasetWriter writer(dir, schema, {1u << 19, 65536, false});
  writer.append(mmn::view_of(block));
  mmn::Dictionaries names;
  for (int t = 0; t < 17; ++t) names.types.push_back("t" + std::to_string(t));
  for (int s = 0; s < 21; ++s) names.scenarios.push_back("s" + std::to_string(s));
  writer.commit(names);
  return dir;
}

// The data set, made on first use and removed when the process ends.
struct ScratchDataset {
  std::string dir = make_dataset();
  ~ScratchDataset() { std::filesystem::remove_all(dir); }
};

void BM_ShardOpenAndVerify(benchmark::State& state) {
  static const ScratchDataset scratch;
  const std::string& dir = scratch.dir;
  mmn::ThreadPool pool;
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    const auto data = mmn::Dataset::open(dir, mmn::Verify::full, &pool);
    bytes = 0;
    for (const auto& s : data.shards()) bytes += s.file_bytes();
    benchmark::DoNotOptimize(bytes);
  }
  mmn::perf::report_bytes(state, static_cast<double>(bytes));
}
BENCHMARK(BM_ShardOpenAndVerify)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(mmn::perf::min_time(0.5));

}  // namespace
