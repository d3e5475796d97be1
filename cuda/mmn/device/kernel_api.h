#pragma once
// The one header a kernel header includes. Under nvcc it is CUDA itself; under a host
// compiler it is mmn's SIMT emulator (mmn/sim), which runs the same kernels on the CPU.
//
// Portable pieces for kernels and their callers:
//   MMN_DYNAMIC_SHARED(T, name)   declares `name`, the block's dynamic shared memory as T*
//   mmn::launch(kernel, grid, block, dynamic_shared_bytes, stream, args...)
//   MMN_LAUNCH(kernel, grid, block, dynamic_shared_bytes, stream, args...)  (names the kernel
//                                                                           in emulator errors)
//   mmn::DeviceBuffer<T>          (mmn/device/device_buffer.h)
// Under the emulator a launch runs to completion before it returns (streams are ignored),
// one launch at a time per process (a mutex), blocks one after another, so kernels must not
// wait for other blocks. Threads run in the order mmn::sim::current_schedule() gives
// (MMN_SIM_ORDER=forward|reverse|random:SEED, or mmn::sim::ScopedSchedule); tests compare
// orders with mmn::sim::run_in_all_orders (mmn/device/run_in_all_orders.h). Emulator-only
// behaviour: static __shared__ arrays start zeroed and keep the previous block's contents;
// dynamic shared memory and DeviceBuffer memory start as bytes 0xff; a shuffle reading a
// lane outside its mask gets bytes 0xff; __activemask() waits until every lane of the warp
// has exited or waits at a sync point and returns the lanes waiting at __activemask.
// Kernels are `inline` under the emulator; under nvcc a kernel defined in a header that
// several .cu files include must be a template or static.
#if defined(__CUDACC__)
#include <cuda_runtime.h>

#define MMN_DYNAMIC_SHARED(T, name)                                 \
  extern __shared__ __align__(16) unsigned char mmn_dynamic_shared_[]; \
  T* const name = reinterpret_cast<T*>(mmn_dynamic_shared_)
#else
#include "mmn/sim/emulator.h"

#define MMN_DYNAMIC_SHARED(T, name) T* const name = static_cast<T*>(::mmn::sim::detail::dynamic_shared_memory())
#endif

#include "mmn/device/launch.h"
