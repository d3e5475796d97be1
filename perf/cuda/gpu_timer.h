#pragma once
// CUDA events around one repeat of the work on the default stream, the L2 flushed before it
// by a memset over twice the L2 (cudaDeviceProp::l2CacheSize), so every repeat reads its
// inputs from device memory as a training step does after the previous layer's traffic.
#include <benchmark/benchmark.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>

#include "gpu_check.h"

namespace mmn::perf {

class GpuTimer {
 public:
  GpuTimer() {
    int device = 0;
    check_cuda(cudaGetDevice(&device), "cudaGetDevice");
    cudaDeviceProp prop{};
    check_cuda(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
    flush_bytes_ = 2 * static_cast<std::size_t>(std::max(prop.l2CacheSize, 1 << 20));
    check_cuda(cudaMalloc(&flush_, flush_bytes_), "cudaMalloc (L2 flush buffer)");
    check_cuda(cudaEventCreate(&start_), "cudaEventCreate");
    check_cuda(cudaEventCreate(&stop_), "cudaEventCreate");
  }
  ~GpuTimer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
    cudaFree(flush_);
  }
  GpuTimer(const GpuTimer&) = delete;
  GpuTimer& operator=(const GpuTimer&) = delete;

  // Seconds between the events around work() (which enqueues on the default stream).
  template <typename Work>
  double seconds(Work&& work) {
    check_cuda(cudaMemsetAsync(flush_, ++flushes_ & 0xff, flush_bytes_), "L2 flush");
    check_cuda(cudaEventRecord(start_), "cudaEventRecord");
    work();
    check_cuda(cudaEventRecord(stop_), "cudaEventRecord");
    check_cuda(cudaEventSynchronize(stop_), "cudaEventSynchronize");
    float ms = 0.0f;
    check_cuda(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
    return ms / 1e3;
  }

 private:
  void* flush_ = nullptr;
  std::size_t flush_bytes_ = 0;
  int flushes_ = 0;
  cudaEvent_t start_{}, stop_{};
};

// The benchmark loop: each iteration's time is the events' (manual time); returns their sum.
template <typename Work>
double time_iterations(benchmark::State& state, Work&& work) {
  GpuTimer timer;
  double total = 0.0;
  for (auto _ : state) {
    const double s = timer.seconds(work);
    state.SetIterationTime(s);
    total += s;
  }
  return total;
}

}  // namespace mmn::perf
