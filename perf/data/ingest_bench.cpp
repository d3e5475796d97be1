// mmn ingest on a Criteo-style TSV (label, 13 integer and 26 hashed categorical
// columns) written by make_criteo_tsv.sh: rows/s and MB/s of text, for 1 and 2
// threads, the whole ingest (written, fsynced data set) and a dry run (parse and
// check only), from the plain file and from its gzip (level 6, gzip's default) and
// zstd (level 3, zstd's default) copies. The inputs are made once and kept in the
// temporary directory; set MMN_INGEST_BENCH_ROWS to change the size (default
// 1000000). The memory roofline measured in the same run (perf/roofline_counters.h)
// is the reference for MB/s.
#include <benchmark/benchmark.h>

#include <zlib.h>
#include <zstd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "mmn/ingest/ingest_schema.h"
#include "mmn/ingest/ingester.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"
#include "roofline_counters.h"
#include "run_mode.h"

namespace {

namespace fs = std::filesystem;

const std::string& input_file() {
  static const std::string path = [] {
    const char* env = std::getenv("MMN_INGEST_BENCH_ROWS");
    const std::string rows = env != nullptr ? env : mmn::perf::smoke() ? "2000" : "1000000";
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

enum class Packing { plain, gzip, zstd };

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".part";
  std::ofstream(tmp, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  fs::rename(tmp, path);
}

std::string gzip_copy(const std::string& plain) {
  const std::string path = plain + ".gz";
  if (fs::exists(path)) return path;
  const std::string text = read_file(plain);
  z_stream z{};
  if (deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) mmn::fail("deflateInit2");
  std::string out(deflateBound(&z, static_cast<uLong>(text.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) mmn::fail("deflate failed on {}", plain);
  out.resize(z.total_out);
  deflateEnd(&z);
  write_file(path, out);
  return path;
}

std::string zstd_copy(const std::string& plain) {
  const std::string path = plain + ".zst";
  if (fs::exists(path)) return path;
  const std::string text = read_file(plain);
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const std::size_t n = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3);
  if (ZSTD_isError(n) != 0) mmn::fail("zstd: {}", ZSTD_getErrorName(n));
  out.resize(n);
  write_file(path, out);
  return path;
}

void run(benchmark::State& state, bool dry_run, Packing packing = Packing::plain) {
  const mmn::ingest::IngestSchema schema =
      mmn::ingest::parse_ingest_schema_file(std::string(MMN_PERF_DATA_DIR) + "/criteo_schema.toml");
  const std::string input = packing == Packing::gzip   ? gzip_copy(input_file())
                            : packing == Packing::zstd ? zstd_copy(input_file())
                                                       : input_file();
  mmn::ThreadPool pool(static_cast<std::size_t>(state.range(0)));
  mmn::ingest::IngestConfig config;
  config.out_dir = mmn::perf::scratch_dir("mmn_ingest_bench_out");
  config.overwrite = true;
  config.pool = &pool;
  config.dry_run = dry_run;
  std::uint64_t rows = 0, bytes = 0;
  for (auto _ : state) {
    const auto report = mmn::ingest::ingest(schema, {input}, config);
    rows += report.rows_read;
    bytes += report.text_bytes;
  }
  fs::remove_all(config.out_dir);
  state.counters["rows/s"] = benchmark::Counter(static_cast<double>(rows), benchmark::Counter::kIsRate);
  state.counters["MB/s"] = benchmark::Counter(static_cast<double>(bytes) / 1e6, benchmark::Counter::kIsRate);
  mmn::perf::report_bytes(state, static_cast<double>(bytes) / static_cast<double>(state.iterations()));
}

void BM_IngestCriteoTsv(benchmark::State& state) { run(state, false); }
void BM_IngestCriteoTsvDryRun(benchmark::State& state) { run(state, true); }
void BM_IngestCriteoTsvGzip(benchmark::State& state) { run(state, false, Packing::gzip); }
void BM_IngestCriteoTsvZstd(benchmark::State& state) { run(state, false, Packing::zstd); }

// Several passes each (at least 3 s): the machines are shared, one pass is noise.
void one_and_two_threads(benchmark::internal::Benchmark* b) {
  b->ArgName("threads")->Arg(1)->Arg(2)->MinTime(mmn::perf::min_time(3.0))->Unit(benchmark::kMillisecond)->UseRealTime();
}
BENCHMARK(BM_IngestCriteoTsv)->Apply(one_and_two_threads);
BENCHMARK(BM_IngestCriteoTsvDryRun)->Apply(one_and_two_threads);
BENCHMARK(BM_IngestCriteoTsvGzip)->Apply(one_and_two_threads);
BENCHMARK(BM_IngestCriteoTsvZstd)->Apply(one_and_two_threads);

}  // namespace
