#include "mmn/ingest/decompressor.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "host/ingest/compression_util.h"
#include "testing/error_of.h"

namespace mmn::ingest {
namespace {

using mmn::testing::error_of;
using testing::gzip_bytes;
using testing::zstd_bytes;

std::string some_text(std::size_t bytes, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < bytes) s += std::to_string(rng() % 100000) + (rng() % 8 == 0 ? "\n" : ",");
  return s;
}

const std::uint8_t* bytes_of(const std::string& s) { return reinterpret_cast<const std::uint8_t*>(s.data()); }

// Everything a decompressor gives, read `step` bytes at a time.
std::string read_all(Compression c, const std::string& compressed, std::size_t step) {
  auto d = Decompressor::open(c, "in.x", bytes_of(compressed), compressed.size());
  std::string out, piece(step, '\0');
  while (const std::size_t got = d->read(piece.data(), step)) out.append(piece, 0, got);
  EXPECT_EQ(d->bytes_produced(), out.size());
  return out;
}

TEST(Decompressor, TellsFormatsByTheirFirstBytes) {
  const std::string text = "a,b\n1,2\n";
  EXPECT_EQ(detect_compression("f", bytes_of(text), text.size()), Compression::none);
  const std::string gz = gzip_bytes(text), zst = zstd_bytes(text);
  EXPECT_EQ(detect_compression("f", bytes_of(gz), gz.size()), Compression::gzip);
  EXPECT_EQ(detect_compression("f", bytes_of(zst), zst.size()), Compression::zstd);
  EXPECT_EQ(detect_compression("f", nullptr, 0), Compression::none);
  const std::string xz = std::string("\xfd" "7zXZ", 5) + std::string(1, '\0') + "rest";
  const std::string message = error_of([&] { detect_compression("data/a.csv.xz", bytes_of(xz), xz.size()); });
  EXPECT_NE(message.find("data/a.csv.xz: the file is xz-compressed"), std::string::npos) << message;
  const std::string bz = "BZh91AY&SY";
  EXPECT_NE(error_of([&] { detect_compression("b", bytes_of(bz), bz.size()); }).find("bzip2"), std::string::npos);
}

TEST(Decompressor, GivesTheTextBackInAnyReadSize) {
  const std::string text = some_text(300000, 1);
  for (const std::size_t step : {std::size_t{1} << 20, std::size_t{4096}, std::size_t{7}}) {
    EXPECT_EQ(read_all(Compression::gzip, gzip_bytes(text), step), text) << step;
    EXPECT_EQ(read_all(Compression::zstd, zstd_bytes(text), step), text) << step;
  }
  EXPECT_EQ(read_all(Compression::gzip, gzip_bytes(""), 100), "");
  EXPECT_EQ(read_all(Compression::zstd, zstd_bytes(""), 100), "");
}

TEST(Decompressor, ReadsConcatenatedGzipMembersAndZstdFrames) {
  const std::string a = some_text(50000, 2), b = some_text(70000, 3);
  EXPECT_EQ(read_all(Compression::gzip, gzip_bytes(a) + gzip_bytes(b), 5000), a + b);
  EXPECT_EQ(read_all(Compression::zstd, zstd_bytes(a) + zstd_bytes(b), 5000), a + b);
}

TEST(Decompressor, ATruncatedFileIsAnErrorNamingIt) {
  const std::string text = some_text(200000, 4);
  for (const Compression c : {Compression::gzip, Compression::zstd}) {
    std::string data = c == Compression::gzip ? gzip_bytes(text) : zstd_bytes(text);
    for (const std::size_t keep : {data.size() / 2, data.size() - 1}) {
      const std::string cut = data.substr(0, keep);
      const std::string message = error_of([&] {
        auto d = Decompressor::open(c, "data/day1.csv.z", bytes_of(cut), cut.size());
        std::string out(1 << 16, '\0');
        while (d->read(out.data(), out.size()) != 0) {
        }
      });
      EXPECT_NE(message.find("data/day1.csv.z: the " + std::string(to_string(c)) + " data ends early"),
                std::string::npos)
          << message;
    }
  }
}

TEST(Decompressor, CorruptDataIsAnErrorNamingTheFileAndThePlace) {
  const std::string text = some_text(200000, 5);
  for (const Compression c : {Compression::gzip, Compression::zstd}) {
    std::string data = c == Compression::gzip ? gzip_bytes(text) : zstd_bytes(text);
    for (std::size_t i = data.size() / 3; i < data.size() / 3 + 64; ++i) data[i] = static_cast<char>(data[i] ^ 0x5a);
    const std::string message = error_of([&] {
      auto d = Decompressor::open(c, "day2.csv.z", bytes_of(data), data.size());
      std::string out(1 << 16, '\0');
      while (d->read(out.data(), out.size()) != 0) {
      }
    });
    EXPECT_NE(message.find("day2.csv.z: corrupt " + std::string(to_string(c)) + " data near compressed byte"),
              std::string::npos)
        << message;
  }
}

TEST(Decompressor, GarbageAfterAGzipStreamIsAnError) {
  const std::string data = gzip_bytes("a\n") + "trailing";
  const std::string message = error_of([&] { read_all(Compression::gzip, data, 100); });
  EXPECT_NE(message.find("data that is not gzip follows the end of the gzip stream"), std::string::npos) << message;
}

}  // namespace
}  // namespace mmn::ingest
