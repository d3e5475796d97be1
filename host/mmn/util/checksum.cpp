#include "mmn/util/checksum.h"

// Inlined so XXH3 uses the vector units -march selects. GCC 12 reports a false
// "may be used uninitialized" inside its own AVX-512 intrinsics when inlining it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace mmn {

std::uint64_t checksum64(const void* data, std::size_t bytes) { return XXH3_64bits(data, bytes); }

std::uint64_t stable_hash64(std::string_view text, std::uint64_t seed) {
  return XXH3_64bits_withSeed(text.data(), text.size(), seed);
}

}  // namespace mmn

#pragma GCC diagnostic pop
