#include "mmn/util/det_math.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace mmn {
namespace {

// ln 2 split so that n * kLn2Hi is exact for |n| < 2^20 (Cody and Waite).
constexpr double kLn2Hi = 6.93147180369123816490e-01;
constexpr double kLn2Lo = 1.90821492927058770002e-10;
constexpr double kInvLn2 = 1.44269504088896338700e+00;

constexpr int kSeriesExpTerms = 13;
constexpr int kSeriesLogTerms = 19;
constexpr int kExpTableBits = 6;    // e^x = 2^(k + j/64) e^r, |r| <= ln2 / 128
constexpr int kExpPolyTerms = 6;    // r^7 / 7! < 3e-20 on that interval
constexpr int kLogTableSize = 96;   // m in [0.75, 1.5) in steps of 1/128
constexpr int kLogPolyTerms = 9;    // log1p(u), |u| < 0.0105: u^10 / 10 < 2e-21

struct Coefficients {
  double inv_factorial[kSeriesExpTerms + 1];  // 1 / n!
  double inv_odd[kSeriesLogTerms + 1];        // 1 / n for odd n
  double log1p[kLogPolyTerms + 1];            // (-1)^(n+1) / n
};

// Evaluated by the compiler (IEEE double arithmetic, correctly rounded).
constexpr Coefficients make_coefficients() {
  Coefficients c{};
  c.inv_factorial[0] = 1.0;
  for (int n = 1; n <= kSeriesExpTerms; ++n) c.inv_factorial[n] = c.inv_factorial[n - 1] / n;
  for (int n = 1; n <= kSeriesLogTerms; n += 2) c.inv_odd[n] = 1.0 / n;
  for (int n = 1; n <= kLogPolyTerms; ++n) c.log1p[n] = (n % 2 == 1 ? 1.0 : -1.0) / n;
  return c;
}
constexpr Coefficients kC = make_coefficients();

// 2^k as a double for k in the normal range [-1022, 1023].
double power_of_two(int k) {
  const std::uint64_t bits = static_cast<std::uint64_t>(k + 1023) << 52;
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

// e^r for |r| <= ln2 / 2 by its Taylor series (terms to r^13: relative error below 1e-16).
double exp_series(double r) {
  double sum = kC.inv_factorial[kSeriesExpTerms];
  for (int n = kSeriesExpTerms - 1; n >= 0; --n) sum = sum * r + kC.inv_factorial[n];
  return sum;
}

// log m for m in [sqrt(1/2), sqrt(2)): 2 atanh(f), f = (m - 1) / (m + 1), |f| <= 0.172,
// by its odd series (terms to f^19: relative error below 1e-17).
double log_series(double m) {
  const double f = (m - 1.0) / (m + 1.0);
  const double f2 = f * f;
  double sum = 0.0;
  for (int n = kSeriesLogTerms; n >= 3; n -= 2) sum = (sum + kC.inv_odd[n]) * f2;
  return 2.0 * (f + f * sum);
}

struct Tables {
  double exp2_frac[1 << kExpTableBits];  // 2^(j / 64)
  double log_center[kLogTableSize];      // log(0.75 + j / 128)
  double inv_center[kLogTableSize];      // 1 / (0.75 + j / 128)
};

// Built once from the series above (same arithmetic everywhere, so the same bits).
const Tables& tables() {
  static const Tables t = [] {
    Tables x{};
    for (int j = 0; j < (1 << kExpTableBits); ++j) {
      // 2^(j/64) = 2^h e^r with r = (j/64 - h) ln2 in [-ln2/2, ln2/2) (the series' range).
      const int h = 2 * j >= (1 << kExpTableBits) ? 1 : 0;
      const double f = static_cast<double>(j - h * (1 << kExpTableBits)) / (1 << kExpTableBits);  // exact
      x.exp2_frac[j] = (h == 1 ? 2.0 : 1.0) * exp_series(f * kLn2Hi + f * kLn2Lo);
    }
    for (int j = 0; j < kLogTableSize; ++j) {
      const double c = 0.75 + static_cast<double>(j) / 128.0;  // exact
      x.log_center[j] = c > 1.4142135623730951 ? log_series(0.5 * c) + (kLn2Hi + kLn2Lo) : log_series(c);
      x.inv_center[j] = 1.0 / c;
    }
    return x;
  }();
  return t;
}

}  // namespace

double exp_det(double x) {
  if (std::isnan(x)) return x;
  if (x > 709.0) return std::numeric_limits<double>::infinity();
  if (x < -745.0) return 0.0;
  // x = (64 k + j) ln2 / 64 + r with |r| <= ln2 / 128; e^x = 2^k 2^(j/64) e^r.
  constexpr double kScale = (1 << kExpTableBits) * kInvLn2;
  constexpr double kStepHi = kLn2Hi / (1 << kExpTableBits);  // exact: a power-of-two division
  constexpr double kStepLo = kLn2Lo / (1 << kExpTableBits);
  const double nd = std::floor(x * kScale + 0.5);
  const auto n = static_cast<int>(nd);
  const double r = (x - nd * kStepHi) - nd * kStepLo;
  const int j = n & ((1 << kExpTableBits) - 1);
  const int k = (n - j) / (1 << kExpTableBits);
  double p = kC.inv_factorial[kExpPolyTerms];
  for (int i = kExpPolyTerms - 1; i >= 1; --i) p = p * r + kC.inv_factorial[i];
  p = p * r;  // e^r - 1
  const double t = tables().exp2_frac[j];
  const double sum = t + t * p;
  // Scaling by 2^k is exact while the result is normal; ldexp rounds subnormals correctly.
  if (k > -1022 && k < 1023) return sum * power_of_two(k);
  return std::ldexp(sum, k);
}

double log_det(double x) {
  if (std::isnan(x) || x < 0.0) return std::numeric_limits<double>::quiet_NaN();
  if (x == 0.0) return -std::numeric_limits<double>::infinity();
  if (std::isinf(x)) return x;
  // x = m 2^e with m in [0.75, 1.5); m = c (1 + u) with c = 0.75 + j / 128 the table
  // point below m, so log x = e ln2 + log c + log1p(u), |u| < 0.0105.
  int e = 0;
  double m;  // x = m 2^e, m in [0.5, 1) (frexp's convention), read off the bits
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  const auto biased = static_cast<int>((bits >> 52) & 0x7ff);
  if (biased != 0) {
    e = biased - 1022;
    bits = (bits & ((std::uint64_t{1} << 52) - 1)) | (std::uint64_t{1022} << 52);
    std::memcpy(&m, &bits, sizeof m);
  } else {
    m = std::frexp(x, &e);  // subnormal: exact too
  }
  if (m < 0.75) {
    m = m * 2.0;
    e -= 1;
  }
  const Tables& t = tables();
  const auto j = static_cast<int>((m - 0.75) * 128.0);  // m - 0.75 is exact (Sterbenz)
  const double u = (m - (0.75 + static_cast<double>(j) / 128.0)) * t.inv_center[j];
  double p = kC.log1p[kLogPolyTerms];
  for (int i = kLogPolyTerms - 1; i >= 1; --i) p = p * u + kC.log1p[i];
  const double log_m = t.log_center[j] + p * u;
  const double ed = static_cast<double>(e);
  return (ed * kLn2Lo + log_m) + ed * kLn2Hi;
}

double pow_det(double x, double y) { return exp_det(y * log_det(x)); }

double sigmoid_det(double x) {
  if (x >= 0.0) return 1.0 / (1.0 + exp_det(-x));
  const double e = exp_det(x);
  return e / (1.0 + e);
}

double logit_det(double p) { return log_det(p) - log_det(1.0 - p); }

}  // namespace mmn
