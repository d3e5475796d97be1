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
    // cublasSgemm in fp32 FMA, no TF32; cublasGemmEx as its compute type says
    check_cublas(cublasSetMathMode(h, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
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

// C = A B, n x n, at the precision's operand types (A, B and C hold zeros, as cudaMemset left them).
void gemm_at(const CublasHandle& handle, Precision p, int n, const void* a, const void* b, void* c) {
  const float one = 1.0f, zero = 0.0f;
  if (p == Precision::fp32) {
    check_cublas(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, static_cast<const float*>(a), n,
                             static_cast<const float*>(b), n, &zero, static_cast<float*>(c), n),
                 "cublasSgemm (roofline)");
    return;
  }
  const cudaDataType_t operands = p == Precision::bf16 ? CUDA_R_16BF : CUDA_R_32F;
  const cublasComputeType_t compute = p == Precision::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
  check_cublas(cublasGemmEx(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, a, operands, n, b, operands, n, &zero, c,
                            CUDA_R_32F, n, compute, CUBLAS_GEMM_DEFAULT),
               "cublasGemmEx (roofline)");
}

}  // namespace

double gpu_gemm_roofline(Precision p) {
  const int n = size_for_run(8192, 1024);
  const std::size_t elements = static_cast<std::size_t>(n) * n;
  const std::size_t operand_bytes = p == Precision::bf16 ? 2 : 4;
  DeviceBytes a(elements * operand_bytes), b(elements * operand_bytes), c(elements * 4);
  CublasHandle handle;
  GpuTimer timer;
  const double s = best_seconds(timer, [&] { gemm_at(handle, p, n, a.ptr, b.ptr, c.ptr); });
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

void report_gpu_work(benchmark::State& state, const GpuWork& w, double seconds, Precision precision) {
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
    const double compute = gpu_gemm_roofline(precision);
    state.counters["GFLOP/s"] = flop_rate / 1e9;
    state.counters["roofline_GFLOP/s"] = compute / 1e9;
    state.counters["fraction_of_flop_roofline"] = flop_rate / compute;
    fraction = std::max(fraction, flop_rate / compute);
  }
  state.counters["fraction_of_roofline"] = fraction;
}

}  // namespace mmn::perf
