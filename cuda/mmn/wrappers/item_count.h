#pragma once
// CUB counts items in an int: the wrappers take std::size_t and refuse what does not fit.
#include <climits>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace mmn::wrappers {

inline int item_count(std::size_t n, const char* where) {
  if (n > static_cast<std::size_t>(INT_MAX))
    throw std::invalid_argument(std::string(where) + ": " + std::to_string(n) + " items, more than the " +
                                std::to_string(INT_MAX) + " one call handles");
  return static_cast<int>(n);
}

inline void check_workspace(std::size_t given, std::size_t needed, const char* where) {
  if (given < needed)
    throw std::invalid_argument(std::string(where) + ": workspace of " + std::to_string(given) + " bytes, " +
                                std::to_string(needed) + " needed (ask the matching *_workspace_bytes)");
}

}  // namespace mmn::wrappers
