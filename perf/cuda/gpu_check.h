#pragma once
// The GPU benchmarks' error checks, and whether this machine has a GPU: without one every
// benchmark skips with a visible message and the binary still exits 0.
#include <benchmark/benchmark.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <exception>

#include "mmn/util/error.h"

namespace mmn::perf {

inline void check_cuda(cudaError_t e, const char* what) {
  if (e != cudaSuccess) fail("{}: {}", what, cudaGetErrorString(e));
}

inline void check_cublas(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS) fail("{}: {}", what, cublasGetStatusString(s));
}

inline bool have_gpu() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

// Runs body(state) where a GPU exists; otherwise skips with "no CUDA device". An exception
// (a failed CUDA call, a result that disagrees with the CPU op) becomes the benchmark's error.
template <typename Body>
void run_on_gpu(benchmark::State& state, Body&& body) {
  if (!have_gpu()) {
    state.SkipWithError("no CUDA device here: GPU benchmark skipped");
    return;
  }
  try {
    body(state);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
  }
}

}  // namespace mmn::perf
