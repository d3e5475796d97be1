#include "commands/job.h"

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace mmn::cli {
namespace {

std::unique_ptr<Communicator>& job() {
  static std::unique_ptr<Communicator> communicator;
  return communicator;
}

}  // namespace

Communicator& job_communicator() {
  if (!job()) job() = make_communicator(nullptr, nullptr);
  return *job();
}

void end_job(int exit_code) {
  std::fflush(stdout);
  std::fflush(stderr);
  if (exit_code != 0 && job() && job()->size() > 1) job()->abort(exit_code);
  job().reset();  // MPI_Finalize under MPI
  std::exit(exit_code);
}

std::string rank_label() {
  if (!job() || job()->size() == 1) return "";
  return " (rank " + std::to_string(job()->rank()) + " of " + std::to_string(job()->size()) + ")";
}

}  // namespace mmn::cli
