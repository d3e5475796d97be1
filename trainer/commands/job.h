#pragma once
// The job this process belongs to: one process, or one rank of an MPI launch (mpirun, srun).
#include <string>

#include "mmn/comm/communicator.h"

namespace mmn::cli {

// Created on first use (commands that run as data-parallel jobs call it).
Communicator& job_communicator();

// Exits. After a failure (exit_code != 0) under MPI it ends every rank, so none waits for
// the failed one forever; otherwise it finalises MPI first.
[[noreturn]] void end_job(int exit_code);

// "" for a single process, " (rank R of P)" under MPI: for error messages.
std::string rank_label();

}  // namespace mmn::cli
