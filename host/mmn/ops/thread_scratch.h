#pragma once
// Per-thread work arrays of the CPU ops, kept between calls so a step allocates nothing.
// Each use names its own slot, so two ops on one thread never share an array.
#include <cstddef>
#include <vector>

namespace mmn {

enum class Scratch {
  composed_weight,
  composed_bias,
  fold_gradient,
  type_products,
  packed_weights,
  transposed_weights,
  bias_gradient,
  fold_dz,
  count
};

// At least `size` floats, contents undefined.
inline float* thread_scratch(Scratch slot, std::size_t size) {
  thread_local std::vector<float> buffers[static_cast<int>(Scratch::count)];
  std::vector<float>& b = buffers[static_cast<int>(slot)];
  if (b.size() < size) b.resize(size);
  return b.data();
}

}  // namespace mmn
