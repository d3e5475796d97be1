#pragma once
#include <cstddef>

namespace mmn {

// Bytes of one core's L2 cache as the OS reports it, or 1 MiB where it reports none.
std::size_t l2_cache_bytes();

}  // namespace mmn
