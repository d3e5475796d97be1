#pragma once
// A composed layer's parameters (perf/ops/op_fixtures.h) uploaded to the device as they are
// stored, un-materialised: W, Wt[t], Ws[s] and biases, with zeroed gradients. nvcc, or the
// emulator's dry run (emulated_runtime/).
#if !defined(__CUDACC__) && !defined(MMN_EMULATED_RUNTIME)
#error "device_layer.h needs nvcc: under a host compiler DeviceBuffer is the emulator's host memory"
#endif
#include <array>
#include <string>
#include <vector>

#include "agreement.h"
#include "gpu_check.h"
#include "mmn/device/device_buffer.h"
#include "mmn/kernels/composed_gemm.cuh"
#include "ops/op_fixtures.h"

namespace mmn::perf {

struct DeviceLayer {
  std::array<DeviceBuffer<float>, kParamGroups> w, b, dw, db;
  ComposedLayer layer;  // the CPU layer's shape and composition, the device's parameters
  ComposedLayerGrad grad;
  DomainGrid grid;

  DeviceLayer(const LayerParams& p, const DomainGrid& domains) : layer(p.layer), grid(domains) {
    layer.packed = nullptr;
    for (int g = 0; g < kParamGroups; ++g) {
      if (p.w[g].empty()) continue;
      w[g] = DeviceBuffer<float>(p.w[g]);
      b[g] = DeviceBuffer<float>(p.b[g]);
      dw[g] = DeviceBuffer<float>(std::vector<float>(p.w[g].size(), 0.0f));
      db[g] = DeviceBuffer<float>(std::vector<float>(p.b[g].size(), 0.0f));
      layer.weight[g] = w[g].data();
      layer.bias[g] = b[g].data();
      grad.weight[g] = dw[g].data();
      grad.bias[g] = db[g].data();
    }
  }

  void zero_gradients() {
    for (int g = 0; g < kParamGroups; ++g) {
      if (dw[g].size() != 0) check_cuda(cudaMemset(dw[g].data(), 0, dw[g].size() * sizeof(float)), "cudaMemset");
      if (db[g].size() != 0) check_cuda(cudaMemset(db[g].data(), 0, db[g].size() * sizeof(float)), "cudaMemset");
    }
  }
};

// Each enabled group's weight and bias gradients on the device against the CPU op's. The bias
// gradients are fp32 sums at every precision; the weight gradients' tolerance is the caller's.
inline void expect_gradients_agree(const char* what, const DeviceLayer& device, const LayerParams& cpu,
                                   double weight_tolerance = kRelativeTolerance) {
  for (int g = 0; g < kParamGroups; ++g) {
    if (cpu.dw[g].empty()) continue;
    const std::string name = std::string(what) + ", d" + param_group_name(g);
    expect_agrees((name + " weights").c_str(), device.dw[g].download(), cpu.dw[g], weight_tolerance);
    expect_agrees((name + " biases").c_str(), device.db[g].download(), cpu.db[g]);
  }
}

}  // namespace mmn::perf
