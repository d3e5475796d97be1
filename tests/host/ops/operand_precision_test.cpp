// The operand roundings of train.precision, at the bit patterns that tell the rounding modes
// apart: bf16 rounds to nearest with ties to even, tf32 to nearest with ties away from zero.
#include "mmn/ops/operand_precision.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace mmn {
namespace {

float f(std::uint32_t bits) { return float_from_bits(bits); }

TEST(OperandPrecision, Bf16RoundsToNearestWithTiesToEven) {
  EXPECT_EQ(bf16_bits_of(1.0f), 0x3f80);
  EXPECT_EQ(bf16_bits_of(f(0x3f808000)), 0x3f80);  // 1 + 2^-8: halfway, the even neighbour is 1
  EXPECT_EQ(bf16_bits_of(f(0x3f818000)), 0x3f82);  // 1 + 3 2^-8: halfway, the even neighbour is up
  EXPECT_EQ(bf16_bits_of(f(0x3f808001)), 0x3f81);  // just above halfway
  EXPECT_EQ(bf16_bits_of(f(0x3f807fff)), 0x3f80);  // just below
  EXPECT_EQ(bf16_bits_of(f(0xbf818000)), 0xbf82);  // the sign does not change the tie
  EXPECT_EQ(round_to_bf16(f(0x3f818000)), f(0x3f820000));
}

TEST(OperandPrecision, Bf16KeepsInfinitiesAndNaNsAndOverflowsToInfinity) {
  EXPECT_EQ(bf16_bits_of(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_EQ(bf16_bits_of(-std::numeric_limits<float>::infinity()), 0xff80);
  EXPECT_TRUE(std::isnan(round_to_bf16(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_TRUE(std::isnan(round_to_bf16(f(0x7f800001))));  // a NaN whose payload sits in the low bits
  EXPECT_EQ(round_to_bf16(std::numeric_limits<float>::max()), std::numeric_limits<float>::infinity());
}

TEST(OperandPrecision, Tf32RoundsToNearestWithTiesAwayFromZero) {
  EXPECT_EQ(round_to_tf32(1.0f), 1.0f);
  EXPECT_EQ(round_to_tf32(f(0x3f801000)), f(0x3f802000));  // 1 + 2^-11: halfway, away from zero
  EXPECT_EQ(round_to_tf32(f(0x3f803000)), f(0x3f804000));  // 1 + 3 2^-11: halfway, away (not to even)
  EXPECT_EQ(round_to_tf32(f(0x3f800fff)), 1.0f);           // just below halfway
  EXPECT_EQ(round_to_tf32(f(0xbf801000)), f(0xbf802000));  // negative ties go away from zero too
  EXPECT_EQ(round_to_tf32(f(0x3f801fff)), f(0x3f802000));
  EXPECT_TRUE(is_tf32_value(round_to_tf32(f(0x3f801234))));
  EXPECT_FALSE(is_tf32_value(f(0x3f801234)));
  EXPECT_EQ(round_to_tf32(std::numeric_limits<float>::infinity()), std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(round_to_tf32(std::numeric_limits<float>::quiet_NaN())));
}

TEST(OperandPrecision, Fp32IsNotRoundedAndNamesParseBack) {
  EXPECT_EQ(round_operand(Precision::fp32, f(0x3f801234)), f(0x3f801234));
  EXPECT_EQ(round_operand(Precision::bf16, f(0x3f818000)), f(0x3f820000));
  for (const Precision p : {Precision::fp32, Precision::tf32, Precision::bf16})
    EXPECT_EQ(parse_precision(precision_name(p)), p);
  EXPECT_FALSE(parse_precision("fp16").has_value());
}

}  // namespace
}  // namespace mmn
