#pragma once
// The operand precision of the CVR towers' composed GEMMs (train.precision) and the roundings
// that define it, bit for bit as the GPU converts:
//   fp32  no rounding: the SIMT kernels;
//   tf32  tensor cores, operands rounded to 10 mantissa bits, to nearest with ties away from
//         zero (PTX cvt.rna.tf32.f32, CUDA's wmma::__float_to_tf32);
//   bf16  tensor cores, operands rounded to 7 mantissa bits, to nearest with ties to even
//         (cvt.rn.bf16.f32, __float2bfloat16).
// Products of two rounded operands are exact in fp32, and accumulation is fp32 in both, so a
// fp32 GEMM on rounded operands is the reference of a tensor-core GEMM up to summation order.
// Master weights, optimizer state, biases and the loss stay fp32.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>

namespace mmn {

enum class Precision { fp32, tf32, bf16 };

inline const char* precision_name(Precision p) {
  switch (p) {
    case Precision::tf32:
      return "tf32";
    case Precision::bf16:
      return "bf16";
    default:
      return "fp32";
  }
}

inline std::optional<Precision> parse_precision(std::string_view name) {
  if (name == "fp32") return Precision::fp32;
  if (name == "tf32") return Precision::tf32;
  if (name == "bf16") return Precision::bf16;
  return std::nullopt;
}

inline std::uint32_t float_bits(float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return bits;
}

inline float float_from_bits(std::uint32_t bits) {
  float v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

inline bool is_inf_or_nan_bits(std::uint32_t bits) { return (bits & 0x7f800000u) == 0x7f800000u; }

// The 16 bits of the nearest bf16 (ties to even); a NaN stays a (quiet) NaN.
inline std::uint16_t bf16_bits_of(float v) {
  const std::uint32_t bits = float_bits(v);
  if (is_inf_or_nan_bits(bits) && (bits & 0x007fffffu) != 0) return static_cast<std::uint16_t>((bits >> 16) | 0x0040u);
  const std::uint32_t rounded = bits + 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<std::uint16_t>(rounded >> 16);
}

inline float float_of_bf16_bits(std::uint16_t bits) { return float_from_bits(static_cast<std::uint32_t>(bits) << 16); }

inline float round_to_bf16(float v) { return float_of_bf16_bits(bf16_bits_of(v)); }

// The nearest tf32 value (ties away from zero), stored as a float whose low 13 bits are zero.
inline float round_to_tf32(float v) {
  const std::uint32_t bits = float_bits(v);
  if (is_inf_or_nan_bits(bits)) return v;
  return float_from_bits((bits + 0x1000u) & 0xffffe000u);
}

inline bool is_tf32_value(float v) { return (float_bits(v) & 0x1fffu) == 0 || is_inf_or_nan_bits(float_bits(v)); }

inline float round_operand(Precision p, float v) {
  switch (p) {
    case Precision::tf32:
      return round_to_tf32(v);
    case Precision::bf16:
      return round_to_bf16(v);
    default:
      return v;
  }
}

}  // namespace mmn
