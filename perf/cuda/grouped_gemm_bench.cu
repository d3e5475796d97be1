// The grouped per-domain tower layer on the GPU (y_d = x_d W_d for every domain's segment of
// a routed batch, 272 -> 256), four ways:
//   cublas_grouped_batched: one cublasGemmGroupedBatchedEx call, one group per active domain,
//                           on W_d materialised per domain;
//   cublas_loop:            one cublasSgemm per active domain, on the same W_d;
//   masked_one_gemm:        every tower on every row as one big GEMM, x [W_0 | W_1 | ...], the
//                           mask keeping each row's own columns (not applied: it does not change
//                           the cost);
//   mmn_kernel:             the project's composed_forward (cuda/mmn/kernels/composed_gemm.cuh)
//                           on W, Wt, Ws as stored (W_d composed while each tile loads), the same
//                           routed rows, plus its bias and ReLU epilogue; checked against the
//                           CPU op (host/mmn/ops/composed_layer.h) before it is timed;
//   mmn_kernel_gather:      the same with rows in batch order, gathered through the routing's
//                           order while loading (the tower's first layer: no separate gather,
//                           which the other forms would need before them).
// Timed with CUDA events around the GEMMs only (routing and materialising excluded), the L2
// flushed before each repeat. Counted FLOPs: 2 per multiply-add of the useful work (each row
// through its own domain's layer), the same for every form; counted bytes: what each form must
// read and write at least (rows in and out, the weights it reads). Rooflines: gpu_roofline.h.
// Without a GPU every benchmark is skipped with that message.
#include <benchmark/benchmark.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agreement.h"
#include "device_layer.h"
#include "gpu_check.h"
#include "gpu_registration.h"
#include "gpu_roofline.h"
#include "gpu_timer.h"
#include "mmn/device/device_buffer.h"
#include "mmn/kernels/composed_gemm.cuh"
#include "mmn/kernels/device_routing.h"
#include "mmn/ops/routing.h"
#include "mmn/util/thread_pool.h"
#include "ops/op_fixtures.h"

namespace {

using namespace mmn;

struct CublasHandle {
  cublasHandle_t h{};
  CublasHandle() { perf::check_cublas(cublasCreate(&h), "cublasCreate"); }
  ~CublasHandle() { cublasDestroy(h); }
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
};

enum class Form { grouped, loop, masked, mmn_kernel, mmn_kernel_gather };

DomainGrid grid_of(std::int64_t domains) {
  return domains == 357 ? DomainGrid{17, 21} : domains == 16 ? DomainGrid{4, 4} : DomainGrid{40, 25};
}

// The project's kernel: W, Wt, Ws uploaded as stored, the batch routed on the device; x in
// routed order, or in batch order and gathered while loading.
struct MmnKernelCase {
  perf::LayerParams params;
  perf::DeviceLayer device;
  kernels::DeviceRouting routing;
  bool gather;
  DeviceBuffer<float> x, y;

  MmnKernelCase(const DomainGrid& grid, const std::vector<std::uint32_t>& domain, const std::vector<float>& x_host,
                bool gather_on_load, std::uint32_t in, std::uint32_t out)
      : params(grid, in, out, Composition::product),
        device(params, grid),
        routing(domain, grid.n_domains(), nullptr),
        gather(gather_on_load),
        x(x_host),
        y(domain.size() * out) {}

  void run() {
    kernels::composed_forward(device.layer, device.grid, routing.routing(), gather, x.data(), y.data(), nullptr);
  }

  // Against the CPU op on the routed rows (y is in routed order either way).
  void check(const DomainGrid& grid, const Routing& r, const std::vector<float>& x_host) {
    std::vector<float> x_routed = x_host;
    if (gather) gather_rows(r, x_host.data(), params.layer.in, x_routed.data());
    ThreadPool pool;
    std::vector<float> want(y.size());
    composed_forward(params.layer, grid, r, x_routed.data(), want.data(), pool);
    perf::expect_agrees(gather ? "mmn composed_forward, gathering" : "mmn composed_forward", y.download(), want);
  }
};

// The cuBLAS forms on W_d materialised per domain (column-major out x in, W_d^T, so
// y^T = W_d^T x^T): for grouped and loop one tower per active domain, for masked one per domain.
struct CublasCase {
  const DomainGrid grid;
  const Routing& r;
  const std::size_t rows, active;
  const int in, out;
  CublasHandle handle;
  DeviceBuffer<float> w, x, y;
  // grouped: device arrays of pointers, host arrays of sizes, one group per active domain
  std::vector<const float*> a_ptr, b_ptr;
  std::vector<float*> c_ptr;
  std::vector<int> m, n, k, lda, ldb, ldc, group_size;
  std::vector<float> alpha, beta;
  std::vector<cublasOperation_t> op;
  DeviceBuffer<const float*> a_dev, b_dev;
  DeviceBuffer<float*> c_dev;

  CublasCase(const DomainGrid& g, const Routing& routing, std::size_t n_rows, int in_width, int out_width, Form form,
             const std::vector<float>& x_host)
      : grid(g), r(routing), rows(n_rows), active(routing.active.size()), in(in_width), out(out_width),
        w(perf::random_floats((form == Form::masked ? grid.n_domains() : active) * in * out, 1, 0.05f)),
        x(x_host),
        y(rows * out * (form == Form::masked ? grid.n_domains() : 1)),
        m(active, out), n(active), k(active, in), lda(active, out), ldb(active, in), ldc(active, out),
        group_size(active, 1), alpha(active, 1.0f), beta(active, 0.0f), op(active, CUBLAS_OP_N) {
    for (std::size_t a = 0; a < active; ++a) {
      const std::uint32_t d = r.active[a];
      n[a] = static_cast<int>(r.rows(d));
      a_ptr.push_back(w.data() + a * in * out);
      b_ptr.push_back(x.data() + std::size_t{r.offsets[d]} * in);
      c_ptr.push_back(y.data() + std::size_t{r.offsets[d]} * out);
    }
    a_dev = DeviceBuffer<const float*>(a_ptr);
    b_dev = DeviceBuffer<const float*>(b_ptr);
    c_dev = DeviceBuffer<float*>(c_ptr);
  }

  void grouped() {
    perf::check_cublas(
        cublasGemmGroupedBatchedEx(handle.h, op.data(), op.data(), m.data(), n.data(), k.data(), alpha.data(),
                                   reinterpret_cast<const void* const*>(a_dev.data()), CUDA_R_32F, lda.data(),
                                   reinterpret_cast<const void* const*>(b_dev.data()), CUDA_R_32F, ldb.data(),
                                   beta.data(), reinterpret_cast<void* const*>(c_dev.data()), CUDA_R_32F, ldc.data(),
                                   static_cast<int>(active), group_size.data(), CUBLAS_COMPUTE_32F),
        "cublasGemmGroupedBatchedEx");
  }

  void loop() {
    const float one = 1, zero = 0;
    for (std::size_t a = 0; a < active; ++a)
      perf::check_cublas(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, m[a], n[a], k[a], &one, a_ptr[a], lda[a],
                                     b_ptr[a], ldb[a], &zero, c_ptr[a], ldc[a]),
                         "cublasSgemm");
  }

  void masked() {
    const float one = 1, zero = 0;
    const int all = out * static_cast<int>(grid.n_domains());
    perf::check_cublas(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, all, static_cast<int>(rows), in, &one, w.data(),
                                   all, x.data(), in, &zero, y.data(), all),
                       "cublasSgemm");
  }

  // What the form must read and write at least: rows in and out, the weights it reads.
  double bytes(Form form) const {
    const double layer_floats = static_cast<double>(in) * out;
    if (form == Form::masked)
      return 4.0 * static_cast<double>(rows) * (in + static_cast<double>(out) * grid.n_domains()) +
             4.0 * layer_floats * grid.n_domains();
    return 4.0 * static_cast<double>(rows) * (in + out) + 4.0 * layer_floats * static_cast<double>(active);
  }
};

// The project's kernel, checked against the CPU op once per shape, then timed.
void time_mmn_kernel(benchmark::State& s, const DomainGrid& grid, const Routing& r,
                       const std::vector<std::uint32_t>& domain, const std::vector<float>& x_host, bool gather, int in,
                       int out) {
  const std::size_t rows = domain.size();
  MmnKernelCase mmn_case(grid, domain, x_host, gather, in, out);
  mmn_case.run();
  perf::check_cuda(cudaDeviceSynchronize(), "mmn composed_forward");
  perf::check_once(std::string(gather ? "mmn gather/" : "mmn/") + std::to_string(grid.n_domains()) + "/" +
                       std::to_string(rows),
                   [&] { mmn_case.check(grid, r, x_host); });
  const double seconds = perf::time_iterations(s, [&] { mmn_case.run(); });
  double bytes = 4.0 * static_cast<double>(rows) * (in + out) + (gather ? 4.0 * static_cast<double>(rows) : 0.0);
  for (int g = 0; g < kParamGroups; ++g)
    bytes += 4.0 * static_cast<double>(mmn_case.params.w[g].size() + mmn_case.params.b[g].size());
  perf::report_gpu_work(s, {2.0 * static_cast<double>(rows) * in * out, bytes}, seconds);
}

void run(benchmark::State& state, Form form) {
  perf::run_on_gpu(state, [form](benchmark::State& s) {
    const DomainGrid grid = grid_of(s.range(0));
    const auto rows = static_cast<std::size_t>(s.range(1));
    const int in = static_cast<int>(perf::kTowerWidths[0]), out = static_cast<int>(perf::kTowerWidths[1]);
    const std::vector<std::uint32_t> domain = perf::zipf_domains(rows, grid.n_domains(), 5);
    Routing r;
    route_by_domain(domain.data(), rows, grid.n_domains(), r);
    const std::vector<float> x_host = perf::random_floats(rows * in, 2);
    s.counters["active_domains"] = static_cast<double>(r.active.size());
    if (form == Form::mmn_kernel || form == Form::mmn_kernel_gather) {
      time_mmn_kernel(s, grid, r, domain, x_host, form == Form::mmn_kernel_gather, in, out);
      return;
    }
    CublasCase c(grid, r, rows, in, out, form, x_host);
    const std::function<void()> work = form == Form::grouped ? std::function<void()>([&] { c.grouped(); })
                                       : form == Form::loop  ? std::function<void()>([&] { c.loop(); })
                                                             : std::function<void()>([&] { c.masked(); });
    const double seconds = perf::time_iterations(s, work);
    perf::report_gpu_work(s, {2.0 * static_cast<double>(rows) * in * out, c.bytes(form)}, seconds);
  });
}

const bool registered = [] {
  const std::pair<const char*, Form> forms[] = {{"GroupedLayerGpu/cublas_grouped_batched", Form::grouped},
                                                {"GroupedLayerGpu/cublas_loop", Form::loop},
                                                {"GroupedLayerGpu/masked_one_gemm", Form::masked},
                                                {"GroupedLayerGpu/mmn_kernel", Form::mmn_kernel},
                                                {"GroupedLayerGpu/mmn_kernel_gather", Form::mmn_kernel_gather}};
  for (const auto& [name, form] : forms)
    for (const std::int64_t domains : {16, 357, 1000})
      for (const std::int64_t rows : perf::kGpuBatches) {
        // the masked output is rows x domains x 256 floats: at most 2^30 of them
        if (form == Form::masked && rows * domains * perf::kTowerWidths[1] > (std::int64_t{1} << 30)) continue;
        const Form f = form;
        benchmark::RegisterBenchmark(name, [f](benchmark::State& s) { run(s, f); })
            ->Args({domains, rows})
            ->ArgNames({"domains", "rows"})
            ->Apply(perf::gpu_timed);
      }
  return true;
}();

}  // namespace
