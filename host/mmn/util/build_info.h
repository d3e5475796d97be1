#pragma once
// Where a result came from: the source commit and the machine, for run records
// (summary.json) and benchmark context.
#include <string>

namespace mmn {

// MMN_GIT_COMMIT from the environment, else the commit seen when the build was
// configured ("unknown" outside a git checkout).
std::string git_commit();
// /proc/cpuinfo's model name, "unknown" where there is none.
std::string cpu_model();
std::string host_name();

}  // namespace mmn
