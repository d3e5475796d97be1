#include "mmn/ingest/decompressor.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "mmn/util/error.h"

namespace mmn::ingest {
namespace {

bool starts_with(const std::uint8_t* data, std::size_t size, const char* magic, std::size_t length) {
  return size >= length && std::memcmp(data, magic, length) == 0;
}

// zlib counts in 32-bit units: feed it at most this much at once.
constexpr std::size_t kZlibStep = std::size_t{1} << 30;

class GzipDecompressor final : public Decompressor {
 public:
  GzipDecompressor(std::string path, const std::uint8_t* data, std::size_t size)
      : Decompressor(std::move(path), data, size) {
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) fail("{}: cannot start gzip decompression", path_);
  }
  ~GzipDecompressor() override { inflateEnd(&z_); }

  std::size_t read_some(char* out, std::size_t capacity) override {
    std::size_t produced = 0;
    while (produced < capacity && !finished_) {
      if (member_ended_) {
        // Another gzip member may follow (pigz, bgzip, cat a.gz b.gz).
        if (consumed_ == size_) {
          finished_ = true;
          break;
        }
        if (!starts_with(data_ + consumed_, size_ - consumed_, "\x1f\x8b", 2))
          fail("{}: data that is not gzip follows the end of the gzip stream at compressed byte {}", path_, consumed_);
        inflateReset(&z_);
        member_ended_ = false;
      }
      // With no input left, inflate may still hold output: it is called until it makes no progress.
      z_.next_in = const_cast<Bytef*>(data_ + consumed_);
      z_.avail_in = static_cast<uInt>(std::min(size_ - consumed_, kZlibStep));
      z_.next_out = reinterpret_cast<Bytef*>(out + produced);
      z_.avail_out = static_cast<uInt>(std::min(capacity - produced, kZlibStep));
      const uInt in_before = z_.avail_in, out_before = z_.avail_out;
      const int status = inflate(&z_, Z_NO_FLUSH);
      consumed_ += in_before - z_.avail_in;
      produced += out_before - z_.avail_out;
      if (status == Z_STREAM_END) {
        member_ended_ = true;
      } else if (status != Z_OK && status != Z_BUF_ERROR) {
        fail("{}: corrupt gzip data near compressed byte {}: {}", path_, consumed_,
             z_.msg != nullptr ? z_.msg : "inflate failed");
      } else if (in_before == z_.avail_in && out_before == z_.avail_out) {
        fail("{}: the gzip data ends early, after {} compressed bytes (a truncated file?)", path_, size_);
      }
    }
    return produced;
  }

 private:
  z_stream z_{};
  bool member_ended_ = false;
  bool finished_ = false;
};

class ZstdDecompressor final : public Decompressor {
 public:
  ZstdDecompressor(std::string path, const std::uint8_t* data, std::size_t size)
      : Decompressor(std::move(path), data, size), stream_(ZSTD_createDStream()) {
    if (stream_ == nullptr) fail("{}: cannot start zstd decompression", path_);
  }
  ~ZstdDecompressor() override { ZSTD_freeDStream(stream_); }

  std::size_t read_some(char* out, std::size_t capacity) override {
    ZSTD_outBuffer output{out, capacity, 0};
    while (output.pos < output.size) {
      // With no input left, the decoder may still hold output: it is called until it makes no progress.
      ZSTD_inBuffer input{data_ + consumed_, size_ - consumed_, 0};
      if (input.size == 0 && frame_ended_) break;
      const std::size_t out_before = output.pos;
      const std::size_t status = ZSTD_decompressStream(stream_, &output, &input);
      consumed_ += input.pos;
      if (ZSTD_isError(status) != 0)
        fail("{}: corrupt zstd data near compressed byte {}: {}", path_, consumed_, ZSTD_getErrorName(status));
      frame_ended_ = status == 0;
      if (input.pos == 0 && output.pos == out_before && !frame_ended_)
        fail("{}: the zstd data ends early, after {} compressed bytes (a truncated file?)", path_, size_);
    }
    return output.pos;
  }

 private:
  ZSTD_DStream* stream_;
  bool frame_ended_ = true;
};

}  // namespace

const char* to_string(Compression compression) {
  switch (compression) {
    case Compression::none: return "none";
    case Compression::gzip: return "gzip";
    case Compression::zstd: return "zstd";
  }
  return "?";
}

Compression detect_compression(const std::string& path, const std::uint8_t* data, std::size_t size) {
  if (starts_with(data, size, "\x1f\x8b", 2)) return Compression::gzip;
  if (starts_with(data, size, "\x28\xb5\x2f\xfd", 4)) return Compression::zstd;
  const char* other = starts_with(data, size, "\xfd" "7zXZ\x00", 6) ? "xz"
                      : starts_with(data, size, "BZh", 3)           ? "bzip2"
                      : starts_with(data, size, "\x04\x22\x4d\x18", 4) ? "lz4"
                      : starts_with(data, size, "PK\x03\x04", 4)     ? "zip"
                                                                    : nullptr;
  if (other != nullptr)
    fail("{}: the file is {}-compressed; mmn ingest reads plain, gzip (.gz) and zstd (.zst) files: decompress it or "
         "recompress it with gzip or zstd",
         path, other);
  return Compression::none;
}

std::unique_ptr<Decompressor> Decompressor::open(Compression compression, std::string path, const std::uint8_t* data,
                                                 std::size_t size) {
  switch (compression) {
    case Compression::gzip: return std::make_unique<GzipDecompressor>(std::move(path), data, size);
    case Compression::zstd: return std::make_unique<ZstdDecompressor>(std::move(path), data, size);
    case Compression::none: break;
  }
  fail("{}: not a compressed file", path);
}

}  // namespace mmn::ingest
