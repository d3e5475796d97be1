#include "mmn/sim/warp_collective.h"

#include <algorithm>

namespace mmn::sim::detail {
namespace {

template <typename Fn>
void for_each_lane(unsigned mask, Fn&& fn) {
  for (unsigned bits = mask; bits; bits &= bits - 1) fn(static_cast<unsigned>(__builtin_ctz(bits)));
}

// The lane whose value `lane` receives: CUDA cuts the warp into segments of `width` lanes;
// a source beyond the caller's segment (for xor: above it) means the caller's own value.
unsigned shuffle_source(unsigned lane, const WarpCall& call) {
  const unsigned width = static_cast<unsigned>(call.width);
  const unsigned segment = lane & ~(width - 1);
  const unsigned param = static_cast<unsigned>(call.param);
  switch (static_cast<ShuffleMode>(call.op)) {
    case ShuffleMode::index: return segment + (param & (width - 1));
    case ShuffleMode::up: return lane - segment >= param ? lane - param : lane;
    case ShuffleMode::down: return lane - segment + std::uint64_t{param} < width ? lane + param : lane;
    case ShuffleMode::butterfly: {
      const unsigned source = lane ^ param;
      return source >= segment + width ? lane : source;
    }
  }
  return lane;
}

std::uint32_t reduce(const WarpCall (&calls)[kWarpSize], unsigned mask, ReduceOp op) {
  bool started = false;
  std::uint32_t acc = 0;
  for_each_lane(mask, [&](unsigned lane) {
    const auto v = static_cast<std::uint32_t>(calls[lane].value);
    const auto sv = static_cast<std::int32_t>(v), sacc = static_cast<std::int32_t>(acc);
    if (!started) {
      acc = v;
      started = true;
      return;
    }
    switch (op) {
      case ReduceOp::add: acc += v; break;
      case ReduceOp::min_signed: acc = sv < sacc ? v : acc; break;
      case ReduceOp::max_signed: acc = sv > sacc ? v : acc; break;
      case ReduceOp::min_unsigned: acc = std::min(acc, v); break;
      case ReduceOp::max_unsigned: acc = std::max(acc, v); break;
      case ReduceOp::bit_and: acc &= v; break;
      case ReduceOp::bit_or: acc |= v; break;
      case ReduceOp::bit_xor: acc ^= v; break;
    }
  });
  return acc;
}

}  // namespace

void complete_collective(const WarpCall (&calls)[kWarpSize], unsigned mask, std::uint64_t (&results)[kWarpSize]) {
  std::uint32_t ballot = 0;
  for_each_lane(mask, [&](unsigned lane) {
    if (calls[lane].value != 0) ballot |= 1u << lane;
  });
  for_each_lane(mask, [&](unsigned lane) {
    const WarpCall& call = calls[lane];
    std::uint64_t& result = results[lane];
    switch (call.kind) {
      case Collective::syncwarp: result = 0; break;
      case Collective::shuffle: {
        const unsigned source = shuffle_source(lane, call);
        // Reading a lane outside the mask is undefined on the GPU: hand back a poison value.
        result = (mask >> source) & 1u ? calls[source].value : ~std::uint64_t{0};
        break;
      }
      case Collective::vote:
        switch (static_cast<VoteOp>(call.op)) {
          case VoteOp::ballot: result = ballot; break;
          case VoteOp::any: result = ballot != 0; break;
          case VoteOp::all: result = ballot == mask; break;
        }
        break;
      case Collective::match: {
        std::uint32_t same = 0;
        for_each_lane(mask, [&](unsigned other) {
          if (calls[other].value == call.value) same |= 1u << other;
        });
        if (static_cast<MatchOp>(call.op) == MatchOp::any) {
          result = same;
        } else {
          result = same == mask ? (std::uint64_t{1} << 32) | mask : 0;
        }
        break;
      }
      case Collective::reduce: result = reduce(calls, mask, static_cast<ReduceOp>(call.op)); break;
    }
  });
}

}  // namespace mmn::sim::detail
