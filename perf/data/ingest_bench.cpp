// mmn ingest on a Criteo-style TSV (label, 13 integer and 26 hashed categorical
// columns) written by make_criteo_tsv.sh: rows/s and MB/s of input, for 1 and 2
// threads, the whole ingest (written, fsynced data set) and a dry run (parse and
// check only). The input is made once and kept in the temporary directory; set
// MMN_INGEST_BENCH_ROWS to change its size (default 1000000). Memcpy bandwidth
// measured in the same run is the roofline for MB/s.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "mmn/ingest/ingest_schema.h"
#include "mmn/ingest/ingester.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"
#include "roofline.h"

namespace {

namespace fs = std::filesystem;

const std::string& input_file() {
  static const std::string path = [] {
    const char* env = std::getenv("MMN_INGEST_BENCH_ROWS");
    const std::string rows = env != nullptr ? env : "1000000";
    const fs::path dir = fs::temp_directory_path() / "mmn_ingest_bench";
    fs::create_directories(dir);
    const std::string file = (dir / ("criteo_" + rows + ".tsv")).string();
    if (!fs::exists(file)) {
      const std::string tmp = file + ".part";
      const std::string cmd =
          std::string("sh '") + MMN_PERF_DATA_DIR + "/make_criteo_tsv.sh' " + rows + " '" + tmp + "'";
      if (std::system(cmd.c_str()) != 0) mmn::fail("{} failed", cmd);
      fs::rename(tmp, file);
    }
    return file;
  }();
  return path;
}

void run(benchmark::State& state, bool dry_run) {
  const mmn::ingest::IngestSchema schema =
      mmn::ingest::parse_ingest_schema_file(std::string(MMN_PERF_DATA_DIR) + "/criteo_schema.toml");
  static const double copy_bandwidth = mmn::perf::memcpy_bandwidth();
  const std::string& input = input_file();
  mmn::ThreadPool pool(static_cast<std::size_t>(state.range(0)));
  mmn::ingest::IngestConfig config;
  config.out_dir = (fs::temp_directory_path() / "mmn_ingest_bench" / "out").string();
  config.overwrite = true;
  config.pool = &pool;
  config.dry_run = dry_run;
  std::uint64_t rows = 0, bytes = 0;
  for (auto _ : state) {
    const auto report = mmn::ingest::ingest(schema, {input}, config);
    rows += report.rows_read;
    bytes += report.bytes;
  }
  fs::remove_all(config.out_dir);
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(bytes) / 1e6, benchmark::Counter::kIsRate);
  state.counters["fraction_of_memcpy"] =
      benchmark::Counter(static_cast<double>(bytes) / copy_bandwidth, benchmark::Counter::kIsRate);
}

void BM_IngestCriteoTsv(benchmark::State& state) { run(state, false); }
void BM_IngestCriteoTsvDryRun(benchmark::State& state) { run(state, true); }

// Several passes each (at least 3 s): the machines are shared, one pass is noise.
BENCHMARK(BM_IngestCriteoTsv)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->MinTime(3.0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_IngestCriteoTsvDryRun)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->MinTime(3.0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
