#pragma once
// The calls through which emulated CUDA intrinsics reach the emulator that runs the
// current launch. Kernels do not use this header directly.
#include <cstddef>
#include <cstdint>
#include <string>

#include "mmn/sim/builtins.h"

namespace mmn::sim::detail {

struct Site {
  const char* file;
  unsigned line;
};

enum class Collective : std::uint8_t { syncwarp, shuffle, vote, match, reduce };
enum class ShuffleMode : std::uint8_t { index, up, down, butterfly };
enum class VoteOp : std::uint8_t { ballot, any, all };
enum class MatchOp : std::uint8_t { any, all };
enum class ReduceOp : std::uint8_t { add, min_signed, max_signed, min_unsigned, max_unsigned, bit_and, bit_or, bit_xor };
enum class BarrierOp : std::uint8_t { plain, count, all, any };

// One lane's part in a warp collective. `value` holds the lane's operand bits; `param`
// the shuffle's source lane / delta / lane mask.
struct WarpCall {
  const char* name;
  Site site;
  Collective kind;
  std::uint8_t op;
  unsigned mask;
  std::uint64_t value;
  int param;
  int width;
};

// Blocks the calling thread until every lane named in call.mask has made its call; returns
// this lane's result (for match all: the mask, and bit 32 set when all values matched).
std::uint64_t warp_call(const WarpCall& call);
// Blocks until every thread of the block arrives; returns the op's reduction of `predicate`.
int block_barrier(const char* name, Site site, BarrierOp op, int predicate);
unsigned active_mask();
void* dynamic_shared_memory();
// Ends the launch with a KernelError that names the kernel, the block and the threads, after
// `problem` (for emulated operations that check their operands, such as wmma's).
[[noreturn]] void kernel_fail(const std::string& problem);

// A launch as the emulator sees it; `invoke(closure)` runs the kernel body for the current thread.
struct LaunchSpec {
  const char* kernel_name;
  dim3 grid;
  dim3 block;
  std::size_t dynamic_shared_bytes;
};
void run_launch(const LaunchSpec& spec, void (*invoke)(const void* closure), const void* closure);

}  // namespace mmn::sim::detail
