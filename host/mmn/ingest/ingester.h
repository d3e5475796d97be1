#pragma once
// mmn ingest: CSV/TSV files into an mmn data set, as an ingest schema says.
//
// Pipeline: the inputs are memory-mapped and cut at line boundaries into chunks of
// about `chunk_bytes`; batches of chunks are parsed on the thread pool into column
// blocks while the previous batch goes, in chunk order, through the sequential stage
// (line numbers, bad-row policy, growing dictionaries, appending to the DatasetWriter).
// The output is the same for any thread count and chunk size.
//
// Input rules: blank lines (empty, or only "\r") are skipped but counted in line
// numbers; "\n" and "\r\n" line ends; a last line without a line end is read; a UTF-8
// byte order mark at the start of a file is skipped; quoted fields may not hold line
// breaks; with header = true the first line of every input file is its header. Inputs
// must be regular files (memory-mapped), not pipes.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mmn/ingest/ingest_schema.h"

namespace mmn {
class ThreadPool;
}

namespace mmn::ingest {

enum class BadRowPolicy { fail, skip };

struct IngestConfig {
  std::string out_dir;
  bool overwrite = false;
  BadRowPolicy on_bad_row = BadRowPolicy::fail;
  std::uint64_t max_bad_rows = 1000;   // skip: more bad rows than this fail the ingest
  std::size_t bad_rows_to_report = 5;  // skip: details kept for the report
  std::string dictionaries_from;       // a data set whose dictionaries are taken as fixed
  std::uint64_t rows_per_shard = 1u << 20;
  std::uint32_t rows_per_group = 65536;
  std::size_t chunk_bytes = std::size_t{4} << 20;  // target chunk size (a chunk always ends at a line end)
  std::size_t chunks_per_batch = 0;                // 0: four per thread
  ThreadPool* pool = nullptr;                      // null: a pool of `threads` threads
  std::size_t threads = 0;                         // 0: ThreadPool::default_threads()
  const std::atomic<bool>* cancel = nullptr;       // when set true, the ingest stops with an error
  bool dry_run = false;                            // parse and check everything, write nothing (out_dir unused)
};

struct BadRow {
  std::string file;
  std::uint64_t line = 0;       // 1-based
  std::uint32_t column = 0;     // 1-based field number
  std::string reason;           // names the schema column
  std::string message() const;  // "file:line:column: reason"
};

struct InputStats {
  std::string path;
  std::uint64_t bytes = 0;
  std::uint64_t rows_read = 0;  // data lines: not blank, not the header
  std::uint64_t rows_written = 0;
  std::uint64_t rows_skipped = 0;
  std::uint64_t blank_lines = 0;
  std::string compression = "none";  // none, gzip or zstd
  std::uint64_t text_bytes = 0;      // decompressed
};

struct IngestReport {
  std::vector<InputStats> inputs;
  std::uint64_t bytes = 0;       // of the files as on disk
  std::uint64_t text_bytes = 0;  // of text, decompressed
  std::uint64_t rows_read = 0;
  std::uint64_t rows_written = 0;
  std::uint64_t rows_skipped = 0;
  std::uint64_t blank_lines = 0;
  std::vector<BadRow> first_bad_rows;
  std::uint32_t n_types = 0;
  std::uint32_t n_scenarios = 0;
  std::size_t threads = 0;
  double seconds = 0;
};

// Writes the data set at config.out_dir (through DatasetWriter: nothing appears under
// that name unless the ingest succeeds). Throws mmn::Error naming the file, line and
// column of the first bad row (policy fail), the bad rows when there are more than
// max_bad_rows (policy skip), or any other problem; an ingest that would write no
// rows is an error too.
IngestReport ingest(const IngestSchema& schema, const std::vector<std::string>& inputs, const IngestConfig& config);

}  // namespace mmn::ingest
