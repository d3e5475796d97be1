#pragma once
// Compressed input files: gzip (zlib) and zstd (libzstd), told apart by their first
// bytes, decompressed as a stream (a file of any size in bounded memory).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace mmn::ingest {

enum class Compression { none, gzip, zstd };
const char* to_string(Compression compression);

// The compression of a file from its first bytes. Throws mmn::Error naming `path` for
// a compressed or archive format mmn does not read (xz, bzip2, lz4, zip).
Compression detect_compression(const std::string& path, const std::uint8_t* data, std::size_t size);

class Decompressor {
 public:
  // Reads the compressed bytes [data, data + size), which must outlive it.
  static std::unique_ptr<Decompressor> open(Compression compression, std::string path, const std::uint8_t* data,
                                            std::size_t size);
  virtual ~Decompressor() = default;

  // Up to `capacity` more decompressed bytes into `out`; 0 only at the end of the data.
  // Concatenated gzip members and zstd frames read as one stream. Throws mmn::Error
  // naming the file and the compressed byte offset when the data is corrupt or ends early.
  std::size_t read(char* out, std::size_t capacity) {
    const std::size_t got = read_some(out, capacity);
    produced_ += got;
    return got;
  }
  std::uint64_t bytes_produced() const { return produced_; }

 protected:
  virtual std::size_t read_some(char* out, std::size_t capacity) = 0;
  Decompressor(std::string path, const std::uint8_t* data, std::size_t size)
      : path_(std::move(path)), data_(data), size_(size) {}
  std::string path_;
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t consumed_ = 0;  // compressed bytes read
  std::uint64_t produced_ = 0;
};

}  // namespace mmn::ingest
