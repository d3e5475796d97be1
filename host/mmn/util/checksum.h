#pragma once
// Checksums used by every mmn file format: 64-bit XXH3 (from libxxhash).
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mmn {

std::uint64_t checksum64(const void* data, std::size_t bytes);

// Stable across runs, builds and machines: used to hash categorical values into a vocabulary.
std::uint64_t stable_hash64(std::string_view text, std::uint64_t seed = 0);

}  // namespace mmn
