#include "mmn/util/cache_size.h"

#include <unistd.h>

namespace mmn {

std::size_t l2_cache_bytes() {
  static const std::size_t bytes = [] {
    const long reported = sysconf(_SC_LEVEL2_CACHE_SIZE);
    return reported > 0 ? static_cast<std::size_t>(reported) : std::size_t{1} << 20;
  }();
  return bytes;
}

}  // namespace mmn
