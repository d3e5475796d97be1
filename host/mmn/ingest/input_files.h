#pragma once
// The input files of an ingest: memory-mapped, past a UTF-8 byte order mark and the
// header line (checked against the schema), and cut into chunks of whole lines.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "mmn/ingest/chunk_parser.h"
#include "mmn/ingest/ingest_schema.h"
#include "mmn/util/mapped_file.h"

namespace mmn::ingest {

struct Input {
  MappedFile file;
  std::size_t data_begin = 0;    // past the byte order mark and the header
  std::uint64_t first_line = 1;  // line number of the first data line
};

// Maps the file and, when the schema says there is one, checks its header: throws
// mmn::Error "<path>:1:<column>: ..." naming the mismatch.
Input open_input(const std::string& path, const IngestSchema& schema);

// Cuts the inputs into chunks of whole lines, in order: a chunk ends just past the
// first '\n' at or after chunk_bytes, or at the end of its file.
class ChunkCursor {
 public:
  ChunkCursor(const std::vector<Input>& inputs, std::size_t chunk_bytes);
  // Up to `chunks` more chunks; none when the inputs are used up.
  std::vector<ChunkInput> next_batch(std::size_t chunks);

 private:
  const std::vector<Input>& inputs_;
  std::size_t chunk_bytes_;
  std::size_t file_ = 0;
  std::size_t pos_ = 0;
};

}  // namespace mmn::ingest
