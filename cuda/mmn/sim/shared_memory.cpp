#include "mmn/sim/shared_memory.h"

#include <cstring>

namespace mmn::sim::detail {

void poison_dynamic_shared_memory(unsigned char* dynamic_shared, std::size_t dynamic_bytes) {
  if (dynamic_bytes > 0) std::memset(dynamic_shared, kSharedPoison, dynamic_bytes);
}

}  // namespace mmn::sim::detail
