#include "gpu_roofline.h"

#include <algorithm>
#include <cstddef>

#include "gpu_check.h"
#include "gpu_timer.h"
#include "run_mode.h"

namespace mmn::perf {

namespace {

struct DeviceBytes {
  void* ptr = nullptr;
  explicit DeviceBytes(std::size_t bytes) {
    check_cuda(cudaMalloc(&ptr, bytes), "cudaMalloc (roofline)");
    check_cuda(cudaMemset(ptr, 0, bytes), "cudaMemset (roofline)");
  }
  ~DeviceBytes() { cudaFree(ptr); }
  DeviceBytes(const DeviceBytes&) = delete;
  DeviceBytes& operator=(const DeviceBytes&) = delete;
};

struct CublasHandle {
  cublasHandle_t h{};
  CublasHandle() {
    check_cublas(cublasCreate(&h), "cublasCreate");
    check_cublas(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");  // fp32 FMA, no TF32
  }
  ~CublasHandle() { cublasDestroy(h); }
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
};

template <typename Work>
double best_seconds(GpuTimer& timer, Work&& work) {
  work();  // warm-up
  double best = 1e300;
  for (int r = 0; r < 3; ++r) best = std::min(best, timer.seconds(work));
  return best;
}

}  // namespace

double gpu_sgemm_roofline() {
  const int n = size_for_run(8192, 1024);
  const std::size_t bytes = std::size_t{4} * n * n;
  DeviceBytes a(bytes), b(bytes), c(bytes);
  CublasHandle handle;
  GpuTimer timer;
  const float one = 1.0f, zero = 0.0f;
  const double s = best_seconds(timer, [&] {
    check_cublas(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, static_cast<const float*>(a.ptr), n,
                             static_cast<const float*>(b.ptr), n, &zero, static_cast<float*>(c.ptr), n),
                 "cublasSgemm (roofline)");
  });
  return 2.0 * n * static_cast<double>(n) * n / s;
}

double gpu_copy_roofline() {
  int device = 0, l2 = 0;
  check_cuda(cudaGetDevice(&device), "cudaGetDevice");
  check_cuda(cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device), "cudaDeviceGetAttribute");
  const std::size_t bytes = std::max(size_for_run(std::size_t{512} << 20, std::size_t{32} << 20),
                                     std::size_t{8} * static_cast<std::size_t>(l2));
  DeviceBytes from(bytes), to(bytes);
  GpuTimer timer;
  const double s = best_seconds(timer, [&] {
    check_cuda(cudaMemcpyAsync(to.ptr, from.ptr, bytes, cudaMemcpyDeviceToDevice), "cudaMemcpy (roofline)");
  });
  return 2.0 * static_cast<double>(bytes) / s;
}

void report_gpu_work(benchmark::State& state, const GpuWork& w, double seconds) {
  if (state.iterations() == 0 || seconds <= 0.0) return;
  const double iterations = static_cast<double>(state.iterations());
  const double flop_rate = w.flops * iterations / seconds, byte_rate = w.bytes * iterations / seconds;
  state.counters["flops_per_iteration"] = w.flops;
  state.counters["bytes_per_iteration"] = w.bytes;
  state.counters["GB/s"] = byte_rate / 1e9;
  const double bandwidth = gpu_copy_roofline();
  state.counters["roofline_GB/s"] = bandwidth / 1e9;
  const double of_bandwidth = byte_rate / bandwidth;
  state.counters["fraction_of_bandwidth_roofline"] = of_bandwidth;
  double fraction = of_bandwidth;
  if (w.flops > 0.0) {
    const double compute = gpu_sgemm_roofline();
    state.counters["GFLOP/s"] = flop_rate / 1e9;
    state.counters["roofline_GFLOP/s"] = compute / 1e9;
    state.counters["fraction_of_flop_roofline"] = flop_rate / compute;
    fraction = std::max(fraction, flop_rate / compute);
  }
  state.counters["fraction_of_roofline"] = fraction;
}

}  // namespace mmn::perf
