#pragma once
// mmn::launch: the one way host code launches a kernel, in nvcc and emulator builds alike.
// Included through mmn/device/kernel_api.h. Under nvcc a failed launch throws a DeviceError
// (mmn/device/cuda_check.h) naming the kernel.
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#if defined(__CUDACC__)
#include "mmn/device/cuda_check.h"
#endif

namespace mmn {

#if defined(__CUDACC__)

template <typename... Params, typename... Args>
void launch_named(const char* name, void (*kernel)(Params...), dim3 grid, dim3 block,
                  std::size_t dynamic_shared_bytes, cudaStream_t stream, Args&&... args) {
  static_assert(sizeof...(Params) == sizeof...(Args), "mmn::launch: wrong number of kernel arguments");
  kernel<<<grid, block, dynamic_shared_bytes, stream>>>(std::forward<Args>(args)...);
  ::mmn::device::check_cuda(cudaGetLastError(), std::string("launch of kernel '") + name + "'", __FILE__, __LINE__);
}

#else

template <typename... Params, typename... Args>
void launch_named(const char* name, void (*kernel)(Params...), dim3 grid, dim3 block,
                  std::size_t dynamic_shared_bytes, cudaStream_t /*stream*/, Args&&... args) {
  static_assert(sizeof...(Params) == sizeof...(Args), "mmn::launch: wrong number of kernel arguments");
  static_assert((!std::is_reference_v<Params> && ...), "kernel parameters are passed by value");
  struct Closure {
    void (*kernel)(Params...);
    std::tuple<Params...> params;
  };
  const Closure closure{kernel, std::tuple<Params...>(std::forward<Args>(args)...)};
  ::mmn::sim::detail::run_launch(
      {name, grid, block, dynamic_shared_bytes},
      [](const void* raw) {
        const auto* c = static_cast<const Closure*>(raw);
        std::apply(c->kernel, c->params);
      },
      &closure);
}

#endif

template <typename... Params, typename... Args>
void launch(void (*kernel)(Params...), dim3 grid, dim3 block, std::size_t dynamic_shared_bytes, cudaStream_t stream,
            Args&&... args) {
  launch_named("(unnamed: launch with MMN_LAUNCH to name it)", kernel, grid, block, dynamic_shared_bytes, stream,
               std::forward<Args>(args)...);
}

}  // namespace mmn

// A template kernel's name goes in parentheses: MMN_LAUNCH((scale<float, 4>), grid, ...).
#define MMN_LAUNCH(kernel, grid, block, dynamic_shared_bytes, stream, ...) \
  ::mmn::launch_named(#kernel, kernel, grid, block, dynamic_shared_bytes, stream, __VA_ARGS__)
