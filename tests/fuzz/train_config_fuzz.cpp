// The train configuration parser: any file is a configuration or an mmn::Error; an input
// starting with "--set\n" is read as one override per line instead. A configuration that
// loads must also write (to_toml) a file that loads back to the same text.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_input_file.h"
#include "mmn/train/train_config.h"
#include "mmn/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string prefix = "--set\n";
  std::string toml;
  try {
    if (text.compare(0, prefix.size(), prefix) == 0) {
      std::vector<std::string> overrides = {"data.train=fuzz"};
      std::istringstream lines(text.substr(prefix.size()));
      for (std::string line; std::getline(lines, line);) overrides.push_back(line);
      toml = mmn::to_toml(mmn::load_train_config("", overrides));
    } else {
      toml = mmn::to_toml(mmn::load_train_config(mmn::fuzz::write_input_file("config.toml", data, size), {}));
    }
  } catch (const mmn::Error&) {
    return 0;
  }
  const std::string& again = mmn::fuzz::write_input_file(
      "resolved.toml", reinterpret_cast<const std::uint8_t*>(toml.data()), toml.size());
  std::string reloaded;
  try {
    reloaded = mmn::to_toml(mmn::load_train_config(again, {}));
  } catch (const mmn::Error& e) {
    std::fprintf(stderr, "a resolved configuration does not load back: %s\n%s\n", e.what(), toml.c_str());
    std::abort();
  }
  if (reloaded != toml) {
    std::fprintf(stderr, "a resolved configuration changes when loaded back:\n%s\n---\n%s\n", toml.c_str(),
                 reloaded.c_str());
    std::abort();
  }
  return 0;
}
