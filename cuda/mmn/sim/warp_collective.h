#pragma once
// What each lane of a completed warp collective gets back, from the calls of all its lanes.
#include <cstdint>

#include "mmn/sim/runtime.h"

namespace mmn::sim::detail {

constexpr unsigned kWarpSize = 32;

// calls[lane] is valid for every lane named in `mask` (all with that mask and kind);
// fills results[lane] for those lanes.
void complete_collective(const WarpCall (&calls)[kWarpSize], unsigned mask, std::uint64_t (&results)[kWarpSize]);

}  // namespace mmn::sim::detail
