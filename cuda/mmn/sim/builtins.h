#pragma once
// The CUDA vocabulary a kernel header uses, for host compilers: qualifiers, dim3/uint3,
// threadIdx/blockIdx/blockDim/gridDim, warpSize, cudaStream_t. Only for g++/clang builds
// that run kernels on the emulator; nvcc builds get the real ones from <cuda_runtime.h>.
#if defined(__CUDACC__)
#error "mmn/sim is the CPU emulator of CUDA; under nvcc include mmn/device/kernel_api.h instead"
#endif
#if defined(__CUDA_RUNTIME_H__)
#error "mmn/sim defines its own dim3/threadIdx: do not include <cuda_runtime.h> in the same file"
#endif

#include <cstddef>

// inline: a kernel defined in a header may be included by several emulator test files.
#define __global__ inline
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline
#define __align__(n) __attribute__((aligned(n)))
#define __launch_bounds__(...)
// One static array per variable serves every fiber of the running block (one launch runs at a
// time). Unlike dynamic shared memory it is not poisoned between blocks: it starts zeroed and
// then keeps what the previous block left. (Collecting the variables in a named section to
// poison them fails in g++: templates lose the section, and inline and internal-linkage
// functions' statics in one section are a "section type conflict".)
#define __shared__ static

struct uint3 {
  unsigned int x, y, z;
};

struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}  // NOLINT: implicit, as in CUDA
  constexpr operator uint3() const { return uint3{x, y, z}; }
};

using cudaStream_t = struct CUstream_st*;

namespace mmn::sim::detail {

// Written by the emulator before it switches to a fiber; read through the references below.
struct Builtins {
  uint3 thread_idx{0, 0, 0};
  uint3 block_idx{0, 0, 0};
  dim3 block_dim;
  dim3 grid_dim;
};
extern Builtins g_builtins;

}  // namespace mmn::sim::detail

inline const uint3& threadIdx = mmn::sim::detail::g_builtins.thread_idx;
inline const uint3& blockIdx = mmn::sim::detail::g_builtins.block_idx;
inline const dim3& blockDim = mmn::sim::detail::g_builtins.block_dim;
inline const dim3& gridDim = mmn::sim::detail::g_builtins.grid_dim;
constexpr int warpSize = 32;
