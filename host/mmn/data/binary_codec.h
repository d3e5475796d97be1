#pragma once
// Little-endian encoding of shard metadata, and a bounds-checked decoder that
// reports where the metadata ends early instead of reading past it.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "mmn/data/schema.h"

namespace mmn {

class ByteEncoder {
 public:
  void raw(const void* p, std::size_t n) {
    const auto* b = static_cast<const std::uint8_t*>(p);
    bytes_.insert(bytes_.end(), b, b + n);
  }
  void u32(std::uint32_t x) { raw(&x, sizeof x); }
  void u64(std::uint64_t x) { raw(&x, sizeof x); }
  void str(const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size()));
    raw(s.data(), s.size());
  }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  std::vector<std::uint8_t> bytes_;
};

class ByteDecoder {
 public:
  // `where` prefixes every error, e.g. "data/part-00000.mmns: metadata".
  ByteDecoder(const std::uint8_t* data, std::size_t size, std::string where)
      : data_(data), size_(size), where_(std::move(where)) {}
  void raw(void* out, std::size_t n, const char* what);
  std::uint32_t u32(const char* what);
  std::uint64_t u64(const char* what);
  std::string str(const char* what, std::size_t max_length = 4096);
  void skip(std::size_t n, const char* what);
  std::size_t position() const { return pos_; }
  const std::string& where() const { return where_; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  std::string where_;
};

std::size_t encoded_schema_bytes(const Schema& schema);
void encode_schema(ByteEncoder& out, const Schema& schema);
Schema decode_schema(ByteDecoder& in);

}  // namespace mmn
