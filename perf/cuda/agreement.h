#pragma once
// Before a GPU benchmark times a kernel it checks the kernel's result against the CPU op
// (host/mmn/ops): a kernel that computes something else must report an error, not a figure.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "mmn/ops/operand_precision.h"
#include "mmn/util/error.h"

namespace mmn::perf {

// The tolerance of the kernel tests: 1e-4 of the largest magnitude of the CPU result (both
// sides sum fp32 products in different orders).
inline constexpr double kRelativeTolerance = 1e-4;

// A tensor-core kernel (tf32 or bf16 operands, fp32 accumulation, its own order of summing)
// against the fp32 CPU op: 4 unit roundoffs u of max |want| (tf32 u = 2^-11, bf16 u = 2^-8).
// A product of two rounded operands is off by at most 2u relative, so a sum by at most
// 2u sum |terms|: up to about 4u of max |want| for the benchmarks' random normal inputs and
// K <= 272. The roundings' errors take either sign, so the error seen is near u (0.5u to 1.0u in
// the emulator's dry run, the fold's sums over thousands of rows included); a wrong tile,
// domain or index is off by about max |want|.
inline double operand_tolerance(Precision p) {
  switch (p) {
    case Precision::tf32:
      return 4.0 / 2048.0;
    case Precision::bf16:
      return 4.0 / 256.0;
    default:
      return kRelativeTolerance;
  }
}

// Fails naming `what` and the first element off by more than tolerance x max |want|.
template <typename T>
void expect_agrees(const char* what, const std::vector<T>& got, const std::vector<T>& want,
                   double tolerance = kRelativeTolerance) {
  if (got.size() != want.size()) fail("{}: the GPU gave {} values, the CPU op {}", what, got.size(), want.size());
  double scale = 0.0;
  for (const T v : want) scale = std::max(scale, std::abs(static_cast<double>(v)));
  const double allowed = tolerance * scale;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double g = static_cast<double>(got[i]), w = static_cast<double>(want[i]);
    if (!(std::abs(g - w) <= allowed))
      fail("{}: the GPU disagrees with the CPU op at [{}]: {} against {} (tolerance {})", what, i, g, w, allowed);
  }
}

inline void expect_agrees(const char* what, double got, double want, double tolerance = kRelativeTolerance) {
  expect_agrees(what, std::vector<double>{got}, std::vector<double>{want}, tolerance);
}

}  // namespace mmn::perf
