#pragma once
// CUDA's bfloat16 storage type and its two conversions, for host compilers (cuda_bf16.h under
// nvcc). The rounding is host/mmn/ops/operand_precision.h's, the GPU's to the bit.
#include <cstdint>

#include "mmn/ops/operand_precision.h"

struct __nv_bfloat16 {
  std::uint16_t bits;
};

inline __nv_bfloat16 __float2bfloat16(float v) { return __nv_bfloat16{mmn::bf16_bits_of(v)}; }
inline float __bfloat162float(__nv_bfloat16 v) { return mmn::float_of_bf16_bits(v.bits); }
