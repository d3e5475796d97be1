#pragma once
// Parsing one chunk of an input file (whole lines) into a column block. Runs on the
// thread pool: it reads only the plan and fixed dictionaries, and leaves what depends
// on earlier chunks (growing dictionaries, line numbers) to the sequential stage as
// chunk-local dictionaries and chunk-relative line numbers.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "mmn/data/column_block.h"
#include "mmn/data/schema.h"
#include "mmn/ingest/dictionary.h"
#include "mmn/ingest/ingest_schema.h"

namespace mmn::ingest {

struct ColumnPlan {
  const ColumnSpec* spec = nullptr;
  std::uint32_t slot = 0;             // index among the categorical or dense fields
  int local = -1;                     // index of its chunk-local dictionary when it grows
  const Dictionary* fixed = nullptr;  // the fixed dictionary of a type, scenario or dictionary column
};

struct ParsePlan {
  const IngestSchema* schema = nullptr;
  Schema data_schema;
  std::vector<ColumnPlan> columns;  // one per input column
  std::size_t local_dictionaries = 0;
  int click = -1, conversion = -1;  // input column indices
  bool stop_at_first_bad_row = false;
  std::size_t bad_rows_to_keep = 5;  // details kept per chunk; all are counted
};

struct ChunkInput {
  std::size_t file = 0;  // index of the input file
  const char* begin = nullptr;
  const char* end = nullptr;  // just past a '\n', or the end of the file
};

struct ChunkBadRow {
  std::uint64_t line = 0;    // 0-based within the chunk
  std::uint32_t column = 0;  // 1-based field number
  std::string reason;
};

struct ParsedChunk {
  std::size_t file = 0;
  std::uint64_t lines = 0;  // every line, blank and bad ones included
  std::uint64_t blank_lines = 0;
  std::uint64_t rows_read = 0;          // non-blank lines
  ColumnBlock block;                    // the good rows; growing-dictionary columns still to map
  std::vector<std::uint32_t> row_line;  // per good row, its 0-based line within the chunk
  std::vector<LocalDictionary> local;   // per growing-dictionary column
  std::deque<std::string> unescaped;    // storage for values that had doubled quotes
  std::uint64_t bad_count = 0;
  std::vector<ChunkBadRow> bad;  // the first plan.bad_rows_to_keep of them

  // Empties it for the next chunk, keeping the buffers.
  void reset(std::size_t file_index);
};

// Builds the plan; `fixed` gives each input column's fixed dictionary or null.
ParsePlan make_parse_plan(const IngestSchema& schema, const std::vector<const Dictionary*>& fixed);

void parse_chunk(const ParsePlan& plan, const ChunkInput& input, ParsedChunk& out);

}  // namespace mmn::ingest
