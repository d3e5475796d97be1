#include "mmn/util/build_info.h"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <fstream>

#ifndef MMN_GIT_COMMIT
#define MMN_GIT_COMMIT "unknown"
#endif

namespace mmn {

std::string git_commit() {
  const char* from_env = std::getenv("MMN_GIT_COMMIT");
  return from_env != nullptr && *from_env != '\0' ? from_env : MMN_GIT_COMMIT;
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    const auto start = colon == std::string::npos ? colon : line.find_first_not_of(' ', colon + 1);
    if (start != std::string::npos) return line.substr(start);
  }
  return "unknown";
}

std::string host_name() {
  std::array<char, 256> name{};
  if (gethostname(name.data(), name.size() - 1) != 0) return "unknown";
  return name.data();
}

}  // namespace mmn
