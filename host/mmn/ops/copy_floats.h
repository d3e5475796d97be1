#pragma once
// Copying the short rows of the step (a routed logit, an embedding row, a layer's input row)
// without a library call per row: a call of memcpy cost more than copying 4 to 64 bytes.
#include <cstddef>
#include <cstring>

namespace mmn {

// dst[0, n) = src[0, n): whole 16-float vectors as fixed-size copies the compiler inlines, then
// the rest one by one.
inline void copy_floats(float* dst, const float* src, std::size_t n) {
  if (n == 1) {  // a loop of one would still become a call of memcpy
    *dst = *src;
    return;
  }
  std::size_t j = 0;
  for (; j + 16 <= n; j += 16) std::memcpy(dst + j, src + j, 16 * sizeof(float));
  for (; j < n; ++j) dst[j] = src[j];
}

}  // namespace mmn
