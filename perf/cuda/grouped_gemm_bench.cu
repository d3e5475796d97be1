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
// Then at tf32 and bf16 operands with fp32 accumulation (names ending /tf32, /bf16):
//   cublas_grouped_batched: tf32: the same call on the same fp32 data, CUBLAS_COMPUTE_32F_FAST_TF32;
//                           bf16: W_d, x and y in bf16 (converted before timing, as W_d is
//                           materialised before it), CUBLAS_COMPUTE_32F: bf16 A, B and C, as
//                           cuBLAS's grouped call lists bf16, so it writes half the bytes of y;
//   mmn_kernel, mmn_kernel_gather: the tensor-core kernels (composed_gemm_tc.cuh), which read
//                           fp32 and round on the chip; checked against the fp32 CPU op within
//                           perf::operand_tolerance (agreement.h).
// Timed with CUDA events around the GEMMs only (routing and materialising excluded), the L2
// flushed before each repeat. Counted FLOPs: 2 per multiply-add of the useful work (each row
// through its own domain's layer), the same for every form; counted bytes: what each form must
// read and write at least (rows in and out, the weights it reads, in the type it reads them).
// Rooflines: gpu_roofline.h, the compute one at the form's precision. Without a GPU every
// benchmark is skipped with that message.
#include <benchmark/benchmark.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
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
#include "mmn/kernels/composed_gemm_tc.cuh"
#include "mmn/kernels/device_routing.h"
#include "mmn/ops/operand_precision.h"
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

std::vector<std::uint16_t> bf16_bits(const std::vector<float>& v) {
  std::vector<std::uint16_t> bits(v.size());
  std::transform(v.begin(), v.end(), bits.begin(), bf16_bits_of);
  return bits;
}

// The project's kernel: W, Wt, Ws uploaded as stored, the batch routed on the device; x in
// routed order, or in batch order and gathered while loading.
struct MmnKernelCase {
  perf::LayerParams params;
  perf::DeviceLayer device;
  kernels::DeviceRouting routing;
  bool gather;
  Precision precision;
  DeviceBuffer<float> x, y;

  MmnKernelCase(const DomainGrid& grid, const std::vector<std::uint32_t>& domain, const std::vector<float>& x_host,
                bool gather_on_load, Precision p, std::uint32_t in, std::uint32_t out)
      : params(grid, in, out, Composition::product),
        device(params, grid),
        routing(domain, grid.n_domains(), nullptr),
        gather(gather_on_load),
        precision(p),
        x(x_host),
        y(domain.size() * out) {}

  void run() {
    kernels::composed_forward(device.layer, device.grid, routing.routing(), gather, x.data(), y.data(), nullptr,
                              precision);
  }

  // Against the fp32 CPU op on the routed rows (y is in routed order either way).
  void check(const DomainGrid& grid, const Routing& r, const std::vector<float>& x_host) {
    std::vector<float> x_routed = x_host;
    if (gather) gather_rows(r, x_host.data(), params.layer.in, x_routed.data());
    ThreadPool pool;
    std::vector<float> want(y.size());
    composed_forward(params.layer, grid, r, x_routed.data(), want.data(), pool);
    const std::string what = std::string("mmn composed_forward, ") + precision_name(precision) +
                             (gather ? ", gathering" : "");
    perf::expect_agrees(what.c_str(), y.download(), want, perf::operand_tolerance(precision));
  }
};

// The cuBLAS forms on W_d materialised per domain (column-major out x in, W_d^T, so
// y^T = W_d^T x^T): for grouped and loop one tower per active domain, for masked one per domain.
// The bf16 form's operands and result are copies in bf16 (as 16 bits).
struct CublasCase {
  const DomainGrid grid;
  const Routing& r;
  const std::size_t rows, active;
  const int in, out;
  const Precision precision;
  CublasHandle handle;
  DeviceBuffer<float> w, x, y;
  DeviceBuffer<std::uint16_t> w16, x16, y16;
  // grouped: device arrays of pointers, host arrays of sizes, one group per active domain
  std::vector<const void*> a_ptr, b_ptr;
  std::vector<void*> c_ptr;
  std::vector<int> m, n, k, lda, ldb, ldc, group_size;
  std::vector<float> alpha, beta;
  std::vector<cublasOperation_t> op;
  DeviceBuffer<const void*> a_dev, b_dev;
  DeviceBuffer<void*> c_dev;

  CublasCase(const DomainGrid& g, const Routing& routing, std::size_t n_rows, int in_width, int out_width, Form form,
             Precision p, const std::vector<float>& x_host)
      : grid(g), r(routing), rows(n_rows), active(routing.active.size()), in(in_width), out(out_width), precision(p),
        w(perf::random_floats((form == Form::masked ? grid.n_domains() : active) * in * out, 1, 0.05f)),
        x(x_host),
        y(rows * out * (form == Form::masked ? grid.n_domains() : 1)),
        m(active, out), n(active), k(active, in), lda(active, out), ldb(active, in), ldc(active, out),
        group_size(active, 1), alpha(active, 1.0f), beta(active, 0.0f), op(active, CUBLAS_OP_N) {
    const bool half = precision == Precision::bf16;
    if (half) {
      w16 = DeviceBuffer<std::uint16_t>(bf16_bits(w.download()));
      x16 = DeviceBuffer<std::uint16_t>(bf16_bits(x_host));
      y16 = DeviceBuffer<std::uint16_t>(y.size());
    }
    for (std::size_t a = 0; a < active; ++a) {
      const std::uint32_t d = r.active[a];
      n[a] = static_cast<int>(r.rows(d));
      const std::size_t w_at = a * in * out, x_at = std::size_t{r.offsets[d]} * in;
      const std::size_t y_at = std::size_t{r.offsets[d]} * out;
      a_ptr.push_back(half ? static_cast<const void*>(w16.data() + w_at) : w.data() + w_at);
      b_ptr.push_back(half ? static_cast<const void*>(x16.data() + x_at) : x.data() + x_at);
      c_ptr.push_back(half ? static_cast<void*>(y16.data() + y_at) : y.data() + y_at);
    }
    a_dev = DeviceBuffer<const void*>(a_ptr);
    b_dev = DeviceBuffer<const void*>(b_ptr);
    c_dev = DeviceBuffer<void*>(c_ptr);
  }

  void grouped() {
    const cudaDataType_t type = precision == Precision::bf16 ? CUDA_R_16BF : CUDA_R_32F;
    const cublasComputeType_t compute =
        precision == Precision::tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
    perf::check_cublas(cublasGemmGroupedBatchedEx(handle.h, op.data(), op.data(), m.data(), n.data(), k.data(),
                                                  alpha.data(), a_dev.data(), type, lda.data(), b_dev.data(), type,
                                                  ldb.data(), beta.data(), c_dev.data(), type, ldc.data(),
                                                  static_cast<int>(active), group_size.data(), compute),
                       "cublasGemmGroupedBatchedEx");
  }

  void loop() {
    const float one = 1, zero = 0;
    for (std::size_t a = 0; a < active; ++a)
      perf::check_cublas(cublasSgemm(handle.h, CUBLAS_OP_N, CUBLAS_OP_N, m[a], n[a], k[a], &one,
                                     static_cast<const float*>(a_ptr[a]), lda[a], static_cast<const float*>(b_ptr[a]),
                                     ldb[a], &zero, static_cast<float*>(c_ptr[a]), ldc[a]),
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
    const double layer_floats = static_cast<double>(in) * out, element = precision == Precision::bf16 ? 2.0 : 4.0;
    if (form == Form::masked)
      return 4.0 * static_cast<double>(rows) * (in + static_cast<double>(out) * grid.n_domains()) +
             4.0 * layer_floats * grid.n_domains();
    return element * (static_cast<double>(rows) * (in + out) + layer_floats * static_cast<double>(active));
  }
};

// The project's kernel, checked against the CPU op once per shape and precision, then timed.
void time_mmn_kernel(benchmark::State& s, MmnKernelCase& c, const DomainGrid& grid, const Routing& r,
                     const std::vector<float>& x_host) {
  const auto rows = static_cast<double>(r.total_rows());
  const double in = c.params.layer.in, out = c.params.layer.out;
  c.run();
  perf::check_cuda(cudaDeviceSynchronize(), "mmn composed_forward");
  perf::check_once(std::string(c.gather ? "mmn gather/" : "mmn/") + precision_name(c.precision) + "/" +
                       std::to_string(grid.n_domains()) + "/" + std::to_string(r.total_rows()),
                   [&] { c.check(grid, r, x_host); });
  const double seconds = perf::time_iterations(s, [&] { c.run(); });
  double bytes = 4.0 * rows * (in + out) + (c.gather ? 4.0 * rows : 0.0);
  for (int g = 0; g < kParamGroups; ++g)
    bytes += 4.0 * static_cast<double>(c.params.w[g].size() + c.params.b[g].size());
  perf::report_gpu_work(s, {2.0 * rows * in * out, bytes}, seconds, c.precision);
}

void run(benchmark::State& state, Form form, Precision precision) {
  perf::run_on_gpu(state, [form, precision](benchmark::State& s) {
    const DomainGrid grid = grid_of(s.range(0));
    const auto rows = static_cast<std::size_t>(s.range(1));
    const int in = static_cast<int>(perf::kTowerWidths[0]), out = static_cast<int>(perf::kTowerWidths[1]);
    const std::vector<std::uint32_t> domain = perf::zipf_domains(rows, grid.n_domains(), 5);
    Routing r;
    route_by_domain(domain.data(), rows, grid.n_domains(), r);
    const std::vector<float> x_host = perf::random_floats(rows * in, 2);
    s.counters["active_domains"] = static_cast<double>(r.active.size());
    if (form == Form::mmn_kernel || form == Form::mmn_kernel_gather) {
      MmnKernelCase c(grid, domain, x_host, form == Form::mmn_kernel_gather, precision, in, out);
      time_mmn_kernel(s, c, grid, r, x_host);
      return;
    }
    CublasCase c(grid, r, rows, in, out, form, precision, x_host);
    const std::function<void()> work = form == Form::grouped ? std::function<void()>([&] { c.grouped(); })
                                       : form == Form::loop  ? std::function<void()>([&] { c.loop(); })
                                                             : std::function<void()>([&] { c.masked(); });
    const double seconds = perf::time_iterations(s, work);
    perf::report_gpu_work(s, {2.0 * static_cast<double>(rows) * in * out, c.bytes(form)}, seconds, precision);
  });
}

// Every form at fp32, then cuBLAS grouped and the project's kernels at tf32 and at bf16.
const bool registered = [] {
  const std::pair<const char*, Form> forms[] = {{"GroupedLayerGpu/cublas_grouped_batched", Form::grouped},
                                                {"GroupedLayerGpu/cublas_loop", Form::loop},
                                                {"GroupedLayerGpu/masked_one_gemm", Form::masked},
                                                {"GroupedLayerGpu/mmn_kernel", Form::mmn_kernel},
                                                {"GroupedLayerGpu/mmn_kernel_gather", Form::mmn_kernel_gather}};
  for (const Precision precision : {Precision::fp32, Precision::tf32, Precision::bf16})
    for (const auto& [name, form] : forms) {
      if (precision != Precision::fp32 && (form == Form::loop || form == Form::masked)) continue;
      const std::string full =
          precision == Precision::fp32 ? name : std::string(name) + "/" + precision_name(precision);
      for (const std::int64_t domains : {16, 357, 1000})
        for (const std::int64_t rows : perf::kGpuBatches) {
          // the masked output is rows x domains x 256 floats: at most 2^30 of them
          if (form == Form::masked && rows * domains * perf::kTowerWidths[1] > (std::int64_t{1} << 30)) continue;
          const Form f = form;
          benchmark::RegisterBenchmark(full.c_str(), [f, precision](benchmark::State& s) { run(s, f, precision); })
              ->Args({domains, rows})
              ->ArgNames({"domains", "rows"})
              ->Apply(perf::gpu_timed);
        }
    }
  return true;
}();

}  // namespace
