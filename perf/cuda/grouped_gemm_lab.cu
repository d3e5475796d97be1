// Kernel lab for the grouped composed tower layer (cuda/mmn/kernels/composed_gemm.cuh): each
// version of the forward pass runs on a criteo-like batch (65536 rows over 17 x 21 domains,
// Zipf traffic; layers 272->256 and 256->128), is checked against the CPU op
// (host/mmn/ops/composed_layer.h) and timed with CUDA events (median of 20, the L2 flushed
// before each). Versions:
//   v1 composed:     W_d = W ⊙ Wt ⊙ Ws composed while each weight tile is loaded;
//   v2 materialised: W_d written for every domain first (a kernel), then the same tiled GEMM
//                    reading it (the cost the composition on the fly saves).
// Without a GPU it says so and exits 0; a version that disagrees with the CPU exits 1.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <vector>

#include "mmn/device/device_buffer.h"
#include "mmn/kernels/composed_gemm.cuh"
#include "mmn/kernels/device_routing.h"
#include "mmn/kernels/routing.cuh"
#include "mmn/ops/composed_layer.h"
#include "mmn/ops/routing.h"
#include "mmn/util/thread_pool.h"
#include "gpu_timer.h"

namespace {

using namespace mmn;

constexpr std::uint32_t kTypes = 17, kScenarios = 21, kDomains = kTypes * kScenarios, kRows = 65536;

// W_d for every domain: out[d][k][n] (one thread per element).
static __global__ void materialise_weights(ComposedLayer l, DomainGrid grid, float* out) {
  const std::uint32_t n_domains = grid.n_domains();
  const std::size_t per = static_cast<std::size_t>(l.in) * l.out;
  for (std::size_t i = blockIdx.x * static_cast<std::size_t>(blockDim.x) + threadIdx.x; i < per * n_domains;
       i += static_cast<std::size_t>(gridDim.x) * blockDim.x) {
    const auto d = static_cast<std::uint32_t>(i / per);
    const auto k = static_cast<std::uint32_t>(i % per / l.out), n = static_cast<std::uint32_t>(i % l.out);
    out[i] = kernels::composed_weight(l, grid, d, k, n);
  }
}

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    std::fprintf(stderr, "grouped_gemm_lab: %s: %s\n", what, cudaGetErrorString(e));
    std::exit(2);
  }
}

struct Layer {
  std::uint32_t in, out;
  std::vector<float> w[3], b[3];  // shared, type, scenario
};

Layer random_layer(std::uint32_t in, std::uint32_t out, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Layer l{in, out, {}, {}};
  const std::uint32_t sets[3] = {1, kTypes, kScenarios};
  for (int g = 0; g < 3; ++g) {
    l.w[g].resize(std::size_t{sets[g]} * in * out);
    l.b[g].resize(std::size_t{sets[g]} * out);
    for (auto& x : l.w[g]) x = g == 0 ? normal(rng) * std::sqrt(2.0f / in) : 1.0f + 0.3f * normal(rng);
    for (auto& x : l.b[g]) x = 0.1f * normal(rng);
  }
  return l;
}

// Median milliseconds of `run` over 20 repeats (after one to warm up), the L2 flushed before each.
template <typename F>
float time_ms(F&& run) {
  perf::GpuTimer timer;
  std::vector<double> seconds;
  for (int i = 0; i < 21; ++i) {
    const double t = timer.seconds(run);
    if (i > 0) seconds.push_back(t);
  }
  std::sort(seconds.begin(), seconds.end());
  return static_cast<float>(seconds[seconds.size() / 2] * 1e3);
}

float max_relative_error(const std::vector<float>& got, const std::vector<float>& want) {
  float scale = 0.0f, worst = 0.0f;
  for (const float v : want) scale = std::max(scale, std::abs(v));
  for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  return scale > 0 ? worst / scale : worst;
}

}  // namespace

int main() {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    std::printf("grouped_gemm_lab: skipped: no CUDA device\n");
    return 0;
  }
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::uint32_t> domain(kRows);
  for (auto& d : domain) d = (static_cast<std::uint32_t>(std::pow(u(rng), 2.5) * kDomains) % kDomains * 7919u) % kDomains;
  const DomainGrid grid{kTypes, kScenarios};
  Routing routing;
  route_by_domain(domain.data(), kRows, kDomains, routing);

  const kernels::DeviceRouting routed(domain, kDomains, nullptr);
  const kernels::ComposedRouting& r = routed.routing();

  ThreadPool pool;
  bool all_agree = true;
  std::printf("%-22s %-14s %10s %12s %12s\n", "layer", "version", "ms", "GFLOP/s", "max rel err");
  for (const auto [in, out] : {std::pair<std::uint32_t, std::uint32_t>{272, 256}, {256, 128}}) {
    const Layer layer = random_layer(in, out, rng);
    std::vector<float> x(std::size_t{kRows} * in);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (auto& v : x) v = std::max(normal(rng), 0.0f);

    ComposedLayer cpu;
    cpu.in = in, cpu.out = out;
    for (int g = 0; g < 3; ++g) cpu.weight[g] = layer.w[g].data(), cpu.bias[g] = layer.b[g].data();
    std::vector<float> x_routed(x.size()), want(std::size_t{kRows} * out);
    gather_rows(routing, x.data(), in, x_routed.data());
    composed_forward(cpu, grid, routing, x_routed.data(), want.data(), pool);

    DeviceBuffer<float> w0(layer.w[0]), w1(layer.w[1]), w2(layer.w[2]), b0(layer.b[0]), b1(layer.b[1]),
        b2(layer.b[2]), x_dev(x), y(want.size()), materialised(std::size_t{kDomains} * in * out),
        b_materialised(std::size_t{kDomains} * out);
    ComposedLayer l;
    l.in = in, l.out = out;
    l.weight[0] = w0.data(), l.weight[1] = w1.data(), l.weight[2] = w2.data();
    l.bias[0] = b0.data(), l.bias[1] = b1.data(), l.bias[2] = b2.data();

    // v2's layer: one per-domain group holding W_d; its bias is the composed bias.
    std::vector<float> bias_d(std::size_t{kDomains} * out);
    for (std::uint32_t d = 0; d < kDomains; ++d) compose_bias(cpu, grid, d, bias_d.data() + std::size_t{d} * out);
    b_materialised.upload(bias_d);
    ComposedLayer separate;
    separate.in = in, separate.out = out;
    separate.weight[3] = materialised.data(), separate.bias[3] = b_materialised.data();

    const double flops = 2.0 * kRows * in * out;
    struct Version {
      const char* name;
      std::function<void()> run;
    };
    const Version versions[] = {
        {"v1 composed", [&] { kernels::composed_forward(l, grid, r, true, x_dev.data(), y.data(), nullptr); }},
        {"v2 materialised", [&] {
           MMN_LAUNCH(materialise_weights, dim3(4096), dim3(256), 0, nullptr, l, grid, materialised.data());
           kernels::composed_forward(separate, grid, r, true, x_dev.data(), y.data(), nullptr);
         }}};
    for (const Version& v : versions) {
      v.run();
      check(cudaDeviceSynchronize(), v.name);
      const float error = max_relative_error(y.download(), want);
      const float ms = time_ms(v.run);
      const bool agrees = error <= 1e-4f;
      all_agree = all_agree && agrees;
      std::printf("%3u -> %-15u %-14s %10.3f %12.1f %12.2e%s\n", in, out, v.name, ms, flops / (ms * 1e6), error,
                  agrees ? "" : "  DISAGREES WITH THE CPU");
    }
  }
  return all_agree ? 0 : 1;
}
