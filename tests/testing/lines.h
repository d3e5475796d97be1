#pragma once
// The lines of a text, without their line ends.
#include <sstream>
#include <string>
#include <vector>

namespace mmn::testing {

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

}  // namespace mmn::testing
