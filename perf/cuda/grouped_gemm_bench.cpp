// The grouped per-domain tower layer on the GPU (y_d = x_d W_d for every domain's
// segment of a routed batch, W_d already materialised per domain), four ways:
//   grouped: one cublasGemmGroupedBatchedEx call, one group per active domain (CUDA 12.5+);
//   loop:    one cublasSgemm per active domain;
//   masked:  every tower on every row as one big GEMM, x [W_0 | W_1 | ...], the mask
//            keeping each row's own columns (not applied: it does not change the cost);
//   mmn:     the project's own grouped kernel (rows gathered and W_d composed while
//            loading): not written yet, reported as skipped until cuda/ has it.
// Timed with CUDA events around the GEMMs only; the L2 is flushed before each repeat
// (a memset over twice its size). Counted FLOPs: 2 per multiply-add of the useful work
// (each row through its own domain's layer), against a large cublasSgemm measured in
// the same run. Without a GPU every benchmark is skipped with that message.
// Host code only (cuBLAS and the runtime API): compiled by the host compiler.
#include <benchmark/benchmark.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <string>
#include <vector>

#include "mmn/ops/routing.h"
#include "mmn/util/error.h"
#include "ops/op_fixtures.h"
#include "run_mode.h"

namespace {

using namespace mmn;

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) fail("{}: {}", what, cudaGetErrorString(e));
}
void check(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS) fail("{}: {}", what, cublasGetStatusString(s));
}

bool have_gpu() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

template <typename T>
struct DeviceArray {
  T* ptr = nullptr;
  std::size_t size = 0;
  explicit DeviceArray(std::size_t n) : size(n) {
    check(cudaMalloc(&ptr, std::max<std::size_t>(n, 1) * sizeof(T)), "cudaMalloc");
  }
  DeviceArray(const std::vector<T>& host) : DeviceArray(host.size()) {
    check(cudaMemcpy(ptr, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), "cudaMemcpy");
  }
  ~DeviceArray() { cudaFree(ptr); }
  DeviceArray(const DeviceArray&) = delete;
  DeviceArray& operator=(const DeviceArray&) = delete;
};

// Events around the work, an L2 flush before it.
class GpuTimer {
 public:
  GpuTimer() : flush_(l2_bytes() * 2) {
    check(cudaEventCreate(&start_), "cudaEventCreate");
    check(cudaEventCreate(&stop_), "cudaEventCreate");
  }
  ~GpuTimer() {
    cudaEventDestroy(start_);
    cudaEventDestroy(stop_);
  }
  template <typename Work>
  double seconds(const Work& work) {
    check(cudaMemsetAsync(flush_.ptr, 0, flush_.size), "L2 flush");
    check(cudaEventRecord(start_), "cudaEventRecord");
    work();
    check(cudaEventRecord(stop_), "cudaEventRecord");
    check(cudaEventSynchronize(stop_), "cudaEventSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, start_, stop_), "cudaEventElapsedTime");
    return ms / 1e3;
  }

 private:
  static std::size_t l2_bytes() {
    int device = 0, bytes = 0;
    check(cudaGetDevice(&device), "cudaGetDevice");
    check(cudaDeviceGetAttribute(&bytes, cudaDevAttrL2CacheSize, device), "cudaDeviceGetAttribute");
    return static_cast<std::size_t>(std::max(bytes, 1 << 20));
  }
  DeviceArray<char> flush_;
  cudaEvent_t start_{}, stop_{};
};

struct Handle {
  cublasHandle_t h{};
  Handle() { check(cublasCreate(&h), "cublasCreate"); }
  ~Handle() { cublasDestroy(h); }
};

// FLOP/s of an 8192^3 cublasSgemm: the GPU roofline of this run.
double gpu_roofline() {
  static const double flops = [] {
    const int n = 8192;
    DeviceArray<float> a(std::size_t{n} * n), b(std::size_t{n} * n), c(std::size_t{n} * n);
    check(cudaMemset(a.ptr, 0, a.size * sizeof(float)), "cudaMemset");
    check(cudaMemset(b.ptr, 0, b.size * sizeof(float)), "cudaMemset");
    Handle handle;
    GpuTimer timer;
    const float one = 1, zero = 0;
    double best = 1e300;
    for (int r = 0; r < 3; ++r)
      best = std::min(best, timer.seconds([&] {
        check(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, &one, a.ptr, n, b.ptr, n, &zero, c.ptr, n),
              "cublasSgemm");
      }));
    return 2.0 * n * n * static_cast<double>(n) / best;
  }();
  return flops;
}

enum class Form { grouped, loop, masked, mmn_kernel };

DomainGrid grid_of(std::int64_t domains) {
  return domains == 357 ? DomainGrid{17, 21} : domains == 16 ? DomainGrid{4, 4} : DomainGrid{40, 25};
}

void run(benchmark::State& state, Form form) {
  if (!have_gpu()) {
    state.SkipWithError("no CUDA device here: GPU benchmark skipped");
    return;
  }
  if (form == Form::mmn_kernel) {
    state.SkipWithError("the project's grouped tower kernel is not written yet (cuda/mmn/kernels)");
    return;
  }
  const DomainGrid grid = grid_of(state.range(0));
  const auto rows = static_cast<std::size_t>(state.range(1));
  const int in = static_cast<int>(perf::kTowerWidths[0]), out = static_cast<int>(perf::kTowerWidths[1]);
  const std::vector<std::uint32_t> domain = perf::zipf_domains(rows, grid.n_domains(), 5);
  Routing r;
  route_by_domain(domain.data(), rows, grid.n_domains(), r);
  const std::size_t active = r.active.size();
  const std::size_t towers = form == Form::masked ? grid.n_domains() : active;
  // per-domain weights, column-major out x in (W_d^T), so y^T = W_d^T x^T in cuBLAS terms
  DeviceArray<float> w(perf::random_floats(towers * in * out, 1, 0.05f));
  DeviceArray<float> x(perf::random_floats(rows * in, 2));
  DeviceArray<float> y(rows * out * (form == Form::masked ? grid.n_domains() : 1));
  Handle handle;
  GpuTimer timer;
  const float one = 1, zero = 0;

  // grouped: device arrays of pointers, host arrays of sizes, one group per domain
  std::vector<const float*> a_ptr, b_ptr;
  std::vector<float*> c_ptr;
  std::vector<int> m(active, out), n(active), k(active, in), lda(active, out), ldb(active, in), ldc(active, out),
      group_size(active, 1);
  std::vector<float> alpha(active, 1.0f), beta(active, 0.0f);
  std::vector<cublasOperation_t> op(active, CUBLAS_OP_N);
  for (std::size_t a = 0; a < active; ++a) {
    const std::uint32_t d = r.active[a];
    n[a] = static_cast<int>(r.rows(d));
    a_ptr.push_back(w.ptr + a * in * out);
    b_ptr.push_back(x.ptr + std::size_t{r.offsets[d]} * in);
    c_ptr.push_back(y.ptr + std::size_t{r.offsets[d]} * out);
  }
  DeviceArray<const float*> a_dev(a_ptr), b_dev(b_ptr);
  DeviceArray<float*> c_dev(c_ptr);

  const auto work = [&] {
    switch (form) {
      case Form::grouped:
        check(cublasGemmGroupedBatchedEx(handle.h, op.data(), op.data(), m.data(), n.data(), k.data(), alpha.data(),
                                         reinterpret_cast<const void* const*>(a_dev.ptr), CUDA_R_32F, lda.data(),
                                         reinterpret_cast<const void* const*>(b_dev.ptr), CUDA_R_32F, ldb.data(),
                                         beta.data(), reinterpret_cast<void* const*>(c_dev.ptr), CUDA_R_32F, ldc.data(),
                                         static_cast<int>(active), group_size.data(), CUBLAS_COMPUTE_32F),
              "cublasGemmGroupedBatchedEx");
        break;
      case Form::loop:
        for (std::size_t a = 0; a < active; ++a)
          check(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, m[a], n[a], k[a], &one, a_ptr[a], lda[a], b_ptr[a],
                            ldb[a], &zero, c_ptr[a], ldc[a]),
                "cublasSgemm");
        break;
      default: {
        const int all = out * static_cast<int>(grid.n_domains());
        check(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, all, static_cast<int>(rows), in, &one, w.ptr, all, x.ptr,
                          in, &zero, y.ptr, all),
              "cublasSgemm");
      }
    }
  };
  for (auto _ : state) state.SetIterationTime(timer.seconds(work));
  const double flops = 2.0 * static_cast<double>(rows) * in * out;
  const double total = flops * static_cast<double>(state.iterations());
  state.counters["TFLOP/s"] = benchmark::Counter(total / 1e12, benchmark::Counter::kIsRate);
  state.counters["roofline_TFLOP/s"] = gpu_roofline() / 1e12;
  state.counters["fraction_of_roofline"] = benchmark::Counter(total / gpu_roofline(), benchmark::Counter::kIsRate);
  state.counters["active_domains"] = static_cast<double>(active);
}

const bool registered = [] {
  const std::pair<const char*, Form> forms[] = {{"GroupedLayerGpu/cublas_grouped_batched", Form::grouped},
                                                {"GroupedLayerGpu/cublas_loop", Form::loop},
                                                {"GroupedLayerGpu/masked_one_gemm", Form::masked},
                                                {"GroupedLayerGpu/mmn_kernel", Form::mmn_kernel}};
  for (const auto& [name, form] : forms)
    for (const std::int64_t domains : {16, 357, 1000})
      for (const std::int64_t rows : {4096, 65536}) {
        // the masked output is rows x domains x 256 floats: at most 2^30 of them
        if (form == Form::masked && rows * domains * perf::kTowerWidths[1] > (std::int64_t{1} << 30)) continue;
        const Form f = form;
        benchmark::RegisterBenchmark(name, [f](benchmark::State& s) { run(s, f); })
            ->Args({domains, rows})
            ->ArgNames({"domains", "rows"})
            ->UseManualTime()
            ->Unit(benchmark::kMicrosecond)
            ->MinTime(perf::min_time(0.5));
      }
  return true;
}();

}  // namespace
