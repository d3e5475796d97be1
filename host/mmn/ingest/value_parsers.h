#pragma once
// Parsing one field's text into a label, a number or a probability, and the numeric
// transforms. Inline: these run once per field of every row.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "mmn/ingest/ingest_schema.h"

namespace mmn::ingest {

// Spaces around a number or label are allowed ("  1.5 ").
inline std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// "0" or "1" -> 0 or 1; anything else -> -1.
inline int parse_label(std::string_view text) {
  if (text.size() != 1) text = trim_spaces(text);
  if (text.size() == 1 && (text[0] == '0' || text[0] == '1')) return text[0] - '0';
  return -1;
}

// A decimal number: optional sign, digits, fraction, exponent. Non-finite values
// ("nan", "inf") and text that is not entirely a number are rejected.
inline bool parse_number(std::string_view text, double& out) {
  const char* p = text.data();
  const char* end = p + text.size();
  // Fast path: a short integer, the common case of count features.
  {
    const char* q = p;
    const bool negative = q != end && *q == '-';
    if (negative) ++q;
    const std::size_t digits = static_cast<std::size_t>(end - q);
    if (digits >= 1 && digits <= 15) {
      std::uint64_t v = 0;
      for (; q != end; ++q) {
        const unsigned d = static_cast<unsigned>(*q) - '0';
        if (d > 9) break;
        v = v * 10 + d;
      }
      if (q == end) {
        out = negative ? -static_cast<double>(v) : static_cast<double>(v);
        return true;
      }
    }
  }
  text = trim_spaces(text);
  if (text.empty()) return false;
  p = text.data();
  end = p + text.size();
  if (*p == '+') {
    ++p;
    if (p == end || *p == '-' || *p == '+') return false;
  }
  const auto [ptr, ec] = std::from_chars(p, end, out, std::chars_format::general);
  if (ec != std::errc() || ptr != end) return false;
  return std::isfinite(out);
}

// log1p(k) for small whole k: count features are mostly small integers, and a table
// lookup is several times faster than the libm call (the values are the same).
inline constexpr int kLog1pTableSize = 4096;
const double* log1p_table();

inline double apply_transform(Transform t, double x) {
  if (t != Transform::none && std::fabs(x) < kLog1pTableSize) {
    const auto k = static_cast<int>(x);
    if (k == x) {
      if (k >= 0) return log1p_table()[k];
      if (t == Transform::signed_log1p) return -log1p_table()[-k];
    }
  }
  switch (t) {
    case Transform::none:
      return x;
    case Transform::log1p:
      return std::log1p(x);  // NaN or -inf for x <= -1: the caller rejects it
    case Transform::signed_log1p:
      return x < 0 ? -std::log1p(-x) : std::log1p(x);
  }
  return x;
}

// Parses, transforms and narrows a numeric field. Empty fields take the column's
// default. On failure returns false with `why` set.
inline bool parse_numeric_field(const ColumnSpec& col, std::string_view text, float& out, std::string& why) {
  double x = col.default_value;
  if (!text.empty() && !parse_number(text, x)) {
    why = "is not a finite number";
    return false;
  }
  const double y = apply_transform(col.transform, x);
  const float f = static_cast<float>(y);
  if (!std::isfinite(f)) {
    if (col.transform == Transform::log1p && x <= -1)
      why = "is -1 or less, where log1p is undefined (transform \"signed_log1p\" takes signed values)";
    else
      why = "is out of the range of a 32-bit float";
    return false;
  }
  out = f;
  return true;
}

// A probability in [0, 1].
inline bool parse_probability(std::string_view text, float& out) {
  double x = 0;
  if (text.empty() || !parse_number(text, x) || !(x >= 0.0 && x <= 1.0)) return false;
  out = static_cast<float>(x);
  return true;
}

// Whether `text` is well-formed UTF-8 (RFC 3629: no overlong forms, surrogates or code
// points above U+10FFFF). Dictionary values are saved as JSON text, which must be.
inline bool is_valid_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = p + text.size();
  while (p != end) {
    const unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    std::size_t n = 0;
    unsigned lo = 0x80, hi = 0xBF;  // range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (static_cast<std::size_t>(end - p) <= n || p[1] < lo || p[1] > hi) return false;
    for (std::size_t k = 2; k <= n; ++k)
      if (p[k] < 0x80 || p[k] > 0xBF) return false;
    p += n + 1;
  }
  return true;
}

// Hashed categorical id in [1, vocab_size): 1 + floor(hash * (vocab_size - 1) / 2^64),
// a multiply instead of a division; 0 stays reserved for a missing value.
inline std::uint32_t hashed_id(std::uint64_t hash, std::uint64_t vocab_size) {
  __extension__ using uint128 = unsigned __int128;
  return static_cast<std::uint32_t>(1 + ((static_cast<uint128>(hash) * (vocab_size - 1)) >> 64));
}

}  // namespace mmn::ingest
