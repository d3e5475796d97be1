#include "mmn/ingest/value_parsers.h"

#include <array>

namespace mmn::ingest {

const double* log1p_table() {
  static const std::array<double, kLog1pTableSize> table = [] {
    std::array<double, kLog1pTableSize> t{};
    for (int k = 0; k < kLog1pTableSize; ++k) t[static_cast<std::size_t>(k)] = std::log1p(static_cast<double>(k));
    return t;
  }();
  return table.data();
}

}  // namespace mmn::ingest
