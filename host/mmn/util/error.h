#pragma once
// The one exception type mmn throws for bad input and failed I/O. Its message is
// meant for the user: it names the file, the place and the problem.
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace mmn {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace mmn
