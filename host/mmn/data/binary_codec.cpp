#include "mmn/data/binary_codec.h"

#include "mmn/util/error.h"

namespace mmn {

void ByteDecoder::raw(void* out, std::size_t n, const char* what) {
  if (n > size_ - pos_) fail("{}: ends at byte {} while reading {} ({} bytes needed)", where_, size_, what, n);
  std::memcpy(out, data_ + pos_, n);
  pos_ += n;
}

void ByteDecoder::skip(std::size_t n, const char* what) {
  if (n > size_ - pos_) fail("{}: ends at byte {} while reading {} ({} bytes needed)", where_, size_, what, n);
  pos_ += n;
}

std::uint32_t ByteDecoder::u32(const char* what) {
  std::uint32_t x;
  raw(&x, sizeof x, what);
  return x;
}

std::uint64_t ByteDecoder::u64(const char* what) {
  std::uint64_t x;
  raw(&x, sizeof x, what);
  return x;
}

std::string ByteDecoder::str(const char* what, std::size_t max_length) {
  const std::uint32_t n = u32(what);
  if (n > max_length) fail("{}: {} has length {}, over the limit {}", where_, what, n, max_length);
  std::string s(n, '\0');
  raw(s.data(), n, what);
  return s;
}

std::size_t encoded_schema_bytes(const Schema& schema) {
  std::size_t n = 5 * sizeof(std::uint32_t);
  for (const auto& f : schema.categorical) n += sizeof(std::uint32_t) + f.name.size() + sizeof(std::uint64_t);
  for (const auto& d : schema.dense) n += sizeof(std::uint32_t) + d.size();
  return n;
}

void encode_schema(ByteEncoder& out, const Schema& schema) {
  out.u32(schema.n_types);
  out.u32(schema.n_scenarios);
  out.u32(static_cast<std::uint32_t>(schema.categorical.size()));
  out.u32(static_cast<std::uint32_t>(schema.dense.size()));
  out.u32(schema.has_truth ? 1 : 0);
  for (const auto& f : schema.categorical) {
    out.str(f.name);
    out.u64(f.vocab_size);
  }
  for (const auto& d : schema.dense) out.str(d);
}

Schema decode_schema(ByteDecoder& in) {
  constexpr std::uint32_t kMaxFields = 1u << 16;
  Schema s;
  s.n_types = in.u32("number of types");
  s.n_scenarios = in.u32("number of scenarios");
  const std::uint32_t n_cat = in.u32("number of categorical fields");
  const std::uint32_t n_dense = in.u32("number of dense fields");
  const std::uint32_t truth = in.u32("truth flag");
  if (n_cat > kMaxFields || n_dense > kMaxFields || truth > 1)
    fail("{}: corrupt schema: {} categorical fields, {} dense fields, truth flag {}", in.where(), n_cat, n_dense, truth);
  s.has_truth = truth == 1;
  for (std::uint32_t i = 0; i < n_cat; ++i) {
    CategoricalField f;
    f.name = in.str("categorical field name");
    f.vocab_size = in.u64("vocabulary size");
    s.categorical.push_back(std::move(f));
  }
  for (std::uint32_t i = 0; i < n_dense; ++i) s.dense.push_back(in.str("dense field name"));
  return s;
}

}  // namespace mmn
