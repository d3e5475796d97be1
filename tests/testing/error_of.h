#pragma once
// The message of the mmn::Error that `f` throws, or "" when it throws none.
#include <string>

#include "mmn/util/error.h"

namespace mmn::testing {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace mmn::testing
