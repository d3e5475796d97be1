#include "fuzz_input_file.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

namespace mmn::fuzz {

namespace {

// Removes the scratch files when the process ends normally.
struct ScratchFiles {
  std::map<std::string, std::string> paths;
  ~ScratchFiles() {
    for (const auto& entry : paths) std::remove(entry.second.c_str());
  }
};

}  // namespace

const std::string& write_input_file(const std::string& name, const std::uint8_t* data, std::size_t size) {
  static ScratchFiles scratch;
  std::string& path = scratch.paths[name];
  if (path.empty()) {
    const char* dir = std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    path = std::string(dir) + "/mmn-fuzz-" + std::to_string(::getpid()) + "-" + name;
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  return path;
}

}  // namespace mmn::fuzz
