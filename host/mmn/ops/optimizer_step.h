#pragma once
// The per-element Adam and Adagrad updates, written once: the CPU ops (optimizers.cpp) and the
// CUDA kernels (cuda/mmn/kernels/optimizers.cuh) both call these, nvcc compiling them for the
// device. A step's constants are computed on the host in double from the 1-based step.
// L2 regularisation enters as a gradient term l2 * (p - center): center 0 pulls a weight to
// zero, center 1 pulls a product composition's factor to its neutral start.
#include <cmath>
#include <cstdint>
#include <stdexcept>

#include "mmn/util/host_device.h"

namespace mmn {

struct AdamStep {
  float beta1, beta2, eps;
  float step_size;       // lr / (1 - beta1^t)
  float inv_sqrt_bias2;  // 1 / sqrt(1 - beta2^t)
  float l2, center;
};

struct AdagradStep {
  float lr, eps, l2, center;
};

inline AdamStep make_adam_step(float lr, float beta1, float beta2, float eps, float l2, float center,
                               std::uint64_t step) {
  if (step == 0) throw std::invalid_argument("adam: step is 1-based, got 0");
  const double t = static_cast<double>(step);
  const double bias1 = 1.0 - std::pow(static_cast<double>(beta1), t);
  const double bias2 = 1.0 - std::pow(static_cast<double>(beta2), t);
  return {beta1, beta2, eps, static_cast<float>(lr / bias1), static_cast<float>(1.0 / std::sqrt(bias2)), l2, center};
}

MMN_HOST_DEVICE inline float step_sqrt(float x) {
#if defined(__CUDA_ARCH__)
  return sqrtf(x);
#else
  return std::sqrt(x);
#endif
}

// p -= lr * m_hat / (sqrt(v_hat) + eps).
MMN_HOST_DEVICE inline void adam_element(const AdamStep& s, float& p, float g, float& m, float& v) {
  g += s.l2 * (p - s.center);
  m = s.beta1 * m + (1.0f - s.beta1) * g;
  v = s.beta2 * v + (1.0f - s.beta2) * g * g;
  p -= s.step_size * m / (step_sqrt(v) * s.inv_sqrt_bias2 + s.eps);
}

MMN_HOST_DEVICE inline void adagrad_element(const AdagradStep& s, float& p, float g, float& accumulator) {
  g += s.l2 * (p - s.center);
  accumulator += g * g;
  p -= s.lr * g / (step_sqrt(accumulator) + s.eps);
}

}  // namespace mmn
