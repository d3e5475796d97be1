#pragma once
// Shared memory has no defined contents when a block starts: the emulator fills the dynamic
// shared memory with a poison pattern (bytes 0xff: NaN as float or double, -1 as a signed
// integer) so that a kernel reading it before writing it gives a visibly wrong result.
#include <cstddef>

namespace mmn::sim::detail {

constexpr unsigned char kSharedPoison = 0xff;

void poison_dynamic_shared_memory(unsigned char* dynamic_shared, std::size_t dynamic_bytes);

}  // namespace mmn::sim::detail
