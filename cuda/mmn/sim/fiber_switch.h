#pragma once
// Tells AddressSanitizer (in ASan builds) that execution moves to another stack: call
// start_switch just before a context switch and finish_switch just after it.
#include <cstddef>

#include "mmn/sim/asan.h"

#if MMN_SIM_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace mmn::sim::detail {

inline void start_switch([[maybe_unused]] void** fake_stack, [[maybe_unused]] const void* lowest,
                         [[maybe_unused]] std::size_t bytes) {
#if MMN_SIM_ASAN
  __sanitizer_start_switch_fiber(fake_stack, lowest, bytes);
#endif
}

inline void finish_switch([[maybe_unused]] void* fake_stack, [[maybe_unused]] const void** from_lowest,
                          [[maybe_unused]] std::size_t* from_bytes) {
#if MMN_SIM_ASAN
  __sanitizer_finish_switch_fiber(fake_stack, from_lowest, from_bytes);
#endif
}

}  // namespace mmn::sim::detail
