#include "run_context.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "mmn/util/thread_pool.h"
#include "run_mode.h"

#ifndef MMN_GIT_COMMIT
#define MMN_GIT_COMMIT "unknown"
#endif
#ifndef MMN_BUILD_TYPE
#define MMN_BUILD_TYPE "unknown"
#endif
#ifndef MMN_NATIVE_BUILD
#define MMN_NATIVE_BUILD 0
#endif

namespace mmn::perf {
namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
  }
  return "unknown";
}

std::string git_commit() {
  const char* from_env = std::getenv("MMN_GIT_COMMIT");
  return from_env != nullptr && *from_env != '\0' ? from_env : MMN_GIT_COMMIT;
}

}  // namespace

void add_run_context() {
  benchmark::AddCustomContext("mmn_git_commit", git_commit());
  benchmark::AddCustomContext("mmn_cpu_model", cpu_model());
  benchmark::AddCustomContext("mmn_threads", std::to_string(ThreadPool::default_threads()));
  benchmark::AddCustomContext("mmn_build_type", MMN_BUILD_TYPE);
  benchmark::AddCustomContext("mmn_native", MMN_NATIVE_BUILD ? "ON" : "OFF");
  benchmark::AddCustomContext("mmn_compiler", __VERSION__);
  benchmark::AddCustomContext("mmn_smoke", smoke() ? "1" : "0");
}

}  // namespace mmn::perf
