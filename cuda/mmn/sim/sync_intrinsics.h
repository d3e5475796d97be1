#pragma once
// Block barriers and warp collectives (Volta+ semantics: every lane named in a mask must
// make the call). Each takes its caller's file and line as hidden default arguments, for
// the emulator's error messages.
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "mmn/sim/runtime.h"

namespace mmn::sim::detail {

template <typename T>
std::uint64_t bits_of(T value) {
  static_assert(std::is_trivially_copyable_v<T> && sizeof(T) <= 8);
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof(T));
  return bits;
}

template <typename T>
T from_bits(std::uint64_t bits) {
  T value;
  std::memcpy(&value, &bits, sizeof(T));
  return value;
}

inline std::uint64_t collective(const char* name, Site site, Collective kind, std::uint8_t op, unsigned mask,
                                std::uint64_t value, int param = 0, int width = 32) {
  return warp_call(WarpCall{name, site, kind, op, mask, value, param, width});
}

template <typename T>
T shuffle(const char* name, ShuffleMode mode, unsigned mask, T var, int param, int width, Site site) {
  return from_bits<T>(collective(name, site, Collective::shuffle, static_cast<std::uint8_t>(mode), mask,
                                 bits_of(var), param, width));
}

template <typename T>
unsigned match_any(unsigned mask, T value, Site site) {
  return static_cast<unsigned>(collective("__match_any_sync", site, Collective::match,
                                          static_cast<std::uint8_t>(MatchOp::any), mask, bits_of(value)));
}

template <typename T>
unsigned match_all(unsigned mask, T value, int* pred, Site site) {
  const std::uint64_t r = collective("__match_all_sync", site, Collective::match,
                                     static_cast<std::uint8_t>(MatchOp::all), mask, bits_of(value));
  *pred = (r >> 32) != 0;
  return static_cast<unsigned>(r);
}

template <typename T>
T reduce(const char* name, ReduceOp op, unsigned mask, T value, Site site) {
  return static_cast<T>(static_cast<std::uint32_t>(
      collective(name, site, Collective::reduce, static_cast<std::uint8_t>(op), mask, static_cast<std::uint32_t>(value))));
}

}  // namespace mmn::sim::detail

#define MMN_SIM_CALLER const char *mmn_file = __builtin_FILE(), unsigned mmn_line = __builtin_LINE()
#define MMN_SIM_SITE_ARG ::mmn::sim::detail::Site{mmn_file, mmn_line}

inline void __syncthreads(MMN_SIM_CALLER) {
  ::mmn::sim::detail::block_barrier("__syncthreads", MMN_SIM_SITE_ARG, ::mmn::sim::detail::BarrierOp::plain, 0);
}
inline int __syncthreads_count(int predicate, MMN_SIM_CALLER) {
  return ::mmn::sim::detail::block_barrier("__syncthreads_count", MMN_SIM_SITE_ARG,
                                           ::mmn::sim::detail::BarrierOp::count, predicate);
}
inline int __syncthreads_and(int predicate, MMN_SIM_CALLER) {
  return ::mmn::sim::detail::block_barrier("__syncthreads_and", MMN_SIM_SITE_ARG, ::mmn::sim::detail::BarrierOp::all,
                                           predicate);
}
inline int __syncthreads_or(int predicate, MMN_SIM_CALLER) {
  return ::mmn::sim::detail::block_barrier("__syncthreads_or", MMN_SIM_SITE_ARG, ::mmn::sim::detail::BarrierOp::any,
                                           predicate);
}

inline void __syncwarp(unsigned mask = 0xffffffffu, MMN_SIM_CALLER) {
  ::mmn::sim::detail::collective("__syncwarp", MMN_SIM_SITE_ARG, ::mmn::sim::detail::Collective::syncwarp, 0, mask, 0);
}

inline unsigned __activemask() { return ::mmn::sim::detail::active_mask(); }

inline unsigned __ballot_sync(unsigned mask, int predicate, MMN_SIM_CALLER) {
  return static_cast<unsigned>(::mmn::sim::detail::collective(
      "__ballot_sync", MMN_SIM_SITE_ARG, ::mmn::sim::detail::Collective::vote,
      static_cast<std::uint8_t>(::mmn::sim::detail::VoteOp::ballot), mask, predicate != 0));
}
inline int __any_sync(unsigned mask, int predicate, MMN_SIM_CALLER) {
  return static_cast<int>(::mmn::sim::detail::collective("__any_sync", MMN_SIM_SITE_ARG,
                                                         ::mmn::sim::detail::Collective::vote,
                                                         static_cast<std::uint8_t>(::mmn::sim::detail::VoteOp::any),
                                                         mask, predicate != 0));
}
inline int __all_sync(unsigned mask, int predicate, MMN_SIM_CALLER) {
  return static_cast<int>(::mmn::sim::detail::collective("__all_sync", MMN_SIM_SITE_ARG,
                                                         ::mmn::sim::detail::Collective::vote,
                                                         static_cast<std::uint8_t>(::mmn::sim::detail::VoteOp::all),
                                                         mask, predicate != 0));
}

// The CUDA overload sets (int, unsigned, long, unsigned long, long long, unsigned long long,
// float, double), so that a call that compiles here compiles under nvcc.
#define MMN_SIM_WARP_OVERLOADS(T)                                                                                  \
  inline T __shfl_sync(unsigned mask, T var, int srcLane, int width = warpSize, MMN_SIM_CALLER) {                  \
    return ::mmn::sim::detail::shuffle("__shfl_sync", ::mmn::sim::detail::ShuffleMode::index, mask, var, srcLane,  \
                                       width, MMN_SIM_SITE_ARG);                                                   \
  }                                                                                                                \
  inline T __shfl_up_sync(unsigned mask, T var, unsigned int delta, int width = warpSize, MMN_SIM_CALLER) {        \
    return ::mmn::sim::detail::shuffle("__shfl_up_sync", ::mmn::sim::detail::ShuffleMode::up, mask, var,           \
                                       static_cast<int>(delta), width, MMN_SIM_SITE_ARG);                          \
  }                                                                                                                \
  inline T __shfl_down_sync(unsigned mask, T var, unsigned int delta, int width = warpSize, MMN_SIM_CALLER) {      \
    return ::mmn::sim::detail::shuffle("__shfl_down_sync", ::mmn::sim::detail::ShuffleMode::down, mask, var,       \
                                       static_cast<int>(delta), width, MMN_SIM_SITE_ARG);                          \
  }                                                                                                                \
  inline T __shfl_xor_sync(unsigned mask, T var, int laneMask, int width = warpSize, MMN_SIM_CALLER) {             \
    return ::mmn::sim::detail::shuffle("__shfl_xor_sync", ::mmn::sim::detail::ShuffleMode::butterfly, mask, var,   \
                                       laneMask, width, MMN_SIM_SITE_ARG);                                         \
  }                                                                                                                \
  inline unsigned __match_any_sync(unsigned mask, T value, MMN_SIM_CALLER) {                                       \
    return ::mmn::sim::detail::match_any(mask, value, MMN_SIM_SITE_ARG);                                           \
  }                                                                                                                \
  inline unsigned __match_all_sync(unsigned mask, T value, int* pred, MMN_SIM_CALLER) {                            \
    return ::mmn::sim::detail::match_all(mask, value, pred, MMN_SIM_SITE_ARG);                                     \
  }

MMN_SIM_WARP_OVERLOADS(int)
MMN_SIM_WARP_OVERLOADS(unsigned int)
MMN_SIM_WARP_OVERLOADS(long)
MMN_SIM_WARP_OVERLOADS(unsigned long)
MMN_SIM_WARP_OVERLOADS(long long)
MMN_SIM_WARP_OVERLOADS(unsigned long long)
MMN_SIM_WARP_OVERLOADS(float)
MMN_SIM_WARP_OVERLOADS(double)
#undef MMN_SIM_WARP_OVERLOADS

#define MMN_SIM_REDUCE(name, T, op)                                              \
  inline T name(unsigned mask, T value, MMN_SIM_CALLER) {                        \
    return ::mmn::sim::detail::reduce(#name, ::mmn::sim::detail::ReduceOp::op, mask, value, MMN_SIM_SITE_ARG); \
  }
MMN_SIM_REDUCE(__reduce_add_sync, unsigned, add)
MMN_SIM_REDUCE(__reduce_add_sync, int, add)
MMN_SIM_REDUCE(__reduce_min_sync, unsigned, min_unsigned)
MMN_SIM_REDUCE(__reduce_min_sync, int, min_signed)
MMN_SIM_REDUCE(__reduce_max_sync, unsigned, max_unsigned)
MMN_SIM_REDUCE(__reduce_max_sync, int, max_signed)
MMN_SIM_REDUCE(__reduce_and_sync, unsigned, bit_and)
MMN_SIM_REDUCE(__reduce_or_sync, unsigned, bit_or)
MMN_SIM_REDUCE(__reduce_xor_sync, unsigned, bit_xor)
#undef MMN_SIM_REDUCE

#undef MMN_SIM_CALLER
#undef MMN_SIM_SITE_ARG
