#pragma once
// Runs a shell command for a test and keeps its exit code and output (stdout and stderr).
#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace mmn::testing {

struct ShellResult {
  int code = -1;       // the exit status; -1 when it did not exit normally
  std::string output;  // stdout and stderr
};

inline ShellResult shell(const std::string& command) {
  ShellResult r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace mmn::testing
