#pragma once
// The input files of an ingest: memory-mapped, decompressed as a stream when gzip or
// zstd compressed, past a UTF-8 byte order mark and the header line (checked against
// the schema), and cut into chunks of whole lines.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mmn/ingest/chunk_parser.h"
#include "mmn/ingest/decompressor.h"
#include "mmn/ingest/ingest_schema.h"
#include "mmn/util/mapped_file.h"

namespace mmn::ingest {

struct Input {
  MappedFile file;  // as on disk
  Compression compression = Compression::none;
  std::unique_ptr<Decompressor> stream;  // compressed files: the text, from data_begin on
  std::string text_head;                 // compressed files: text decompressed past the header
  std::size_t data_begin = 0;            // plain files: past the byte order mark and the header
  std::uint64_t first_line = 1;          // line number of the first data line
  const std::string& path() const { return file.path(); }
};

// Maps (and for a compressed file starts decompressing) the file and, when the schema
// says there is one, checks its header: throws mmn::Error "<path>:1:<column>: ..."
// naming the mismatch.
Input open_input(const std::string& path, const IngestSchema& schema);

// Cuts the inputs into chunks of whole lines, in order: a chunk ends just past the
// first '\n' at or after chunk_bytes, or at the end of its file. A compressed file's
// text is decompressed by fill() into one of three buffers: one being cut into the
// batch now parsed, one holding the batch being sequenced, one being filled. The
// caller runs fill() alongside the work on the last batch it got.
class ChunkCursor {
 public:
  ChunkCursor(std::vector<Input>& inputs, std::size_t chunk_bytes, std::size_t batch_bytes);
  // Up to `chunks` more chunks; none when the inputs are used up or when the next
  // compressed text is not decompressed yet (then wants_fill() is true).
  std::vector<ChunkInput> next_batch(std::size_t chunks);
  // Whether a compressed file's text is due and no filled buffer waits.
  bool wants_fill() const;
  // Decompresses the next piece of text, whole lines, into a free buffer. May run
  // on another thread while the chunks of the last two batches are in use.
  void fill();
  // Decompressed text bytes read so far.
  std::uint64_t text_bytes() const { return text_bytes_; }

 private:
  struct Buffer {
    std::string text;
    std::size_t file = 0;
    std::size_t cut = 0;           // bytes already handed out as chunks
    bool ready = false;            // filled, not yet cut to its end
    bool last_of_file = false;     // holds the end of its file's text
    std::uint64_t last_batch = 0;  // the last batch that took chunks from it (0: none)
  };
  std::size_t next_compressed_file() const;  // at or after file_, with text left; inputs_.size() if none

  std::vector<Input>& inputs_;
  std::size_t chunk_bytes_, batch_bytes_;
  std::size_t file_ = 0;
  std::size_t pos_ = 0;  // plain files: the offset in the mapping
  std::vector<bool> text_done_;  // per compressed file: all its text is in buffers
  std::vector<std::string> carry_;  // per compressed file: a line started at the end of its last buffer
  Buffer buffers_[3];
  std::uint64_t batches_ = 0;
  std::uint64_t text_bytes_ = 0;
};

}  // namespace mmn::ingest
