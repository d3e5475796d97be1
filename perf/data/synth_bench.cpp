// Synthetic data: rows per second of `mmn synth --preset criteo-like` (setup,
// generation and writing the splits, as the command does, without the report),
// and of the generation alone (rows drawn over the thread pool, nothing written),
// with the memory roofline of this run for scale.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "mmn/synth/generator.h"
#include "mmn/synth/synth_config.h"
#include "mmn/synth/synthesize.h"
#include "mmn/util/thread_pool.h"
#include "roofline_counters.h"
#include "run_mode.h"

namespace {

const std::uint64_t kRows = mmn::perf::size_for_run<std::uint64_t>(2'000'000, 20'000);

void BM_SynthCriteoLike(benchmark::State& state) {
  const std::string dir = mmn::perf::scratch_dir("mmn_synth_bench");
  const mmn::synth::SynthConfig config = mmn::synth::criteo_like_preset();
  mmn::ThreadPool pool;
  mmn::synth::SynthOptions options;
  options.out_dir = dir;
  options.rows = kRows;
  options.seed = 7;
  options.holdout = 5;
  options.overwrite = true;
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    const auto result = mmn::synth::synthesize(config, options, pool);
    benchmark::DoNotOptimize(result.rows);
  }
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) bytes += entry.file_size();
  std::filesystem::remove_all(dir);
  const double iterations = static_cast<double>(state.iterations());
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(kRows) * iterations, benchmark::Counter::kIsRate);
  state.counters["written_GB/s"] =
      benchmark::Counter(static_cast<double>(bytes) * iterations / 1e9, benchmark::Counter::kIsRate);
  state.counters["roofline_GB/s"] = mmn::perf::memory_roofline() / 1e9;
  state.counters["threads"] = static_cast<double>(pool.size());
}
BENCHMARK(BM_SynthCriteoLike)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(mmn::perf::min_time(3.0));

void BM_GenerateCriteoLike(benchmark::State& state) {
  mmn::ThreadPool pool;
  const mmn::synth::Generator generator(mmn::synth::criteo_like_preset(), 7, {}, &pool);
  const std::uint64_t blocks = (kRows + mmn::synth::kBlockRows - 1) / mmn::synth::kBlockRows;
  std::vector<mmn::synth::SplitBlocks> out(blocks);
  for (auto _ : state) {
    pool.run(blocks, [&](std::size_t b) { generator.generate_block(b, mmn::synth::kBlockRows, out[b]); });
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["rows/s"] = benchmark::Counter(
      static_cast<double>(blocks * mmn::synth::kBlockRows) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
  state.counters["threads"] = static_cast<double>(pool.size());
}
BENCHMARK(BM_GenerateCriteoLike)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(mmn::perf::min_time(2.0));

}  // namespace
