#pragma once
// The processes of one training job and the collectives data parallelism needs. A job
// started by mpirun or srun (and a build with MPI) gets the MPI communicator over
// MPI_COMM_WORLD; anything else a single process, where every collective is the identity.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mmn {

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  // Element-wise sums over the ranks. Every rank ends with the same values: they are reduced
  // to rank 0 and broadcast, so floating-point sums do not differ between ranks.
  virtual void sum(float* data, std::size_t n) = 0;
  virtual void sum(double* data, std::size_t n) = 0;
  virtual void sum(std::uint64_t* data, std::size_t n) = 0;

  // Every rank's bytes, in rank order, on every rank.
  virtual std::vector<std::string> all_gather(const std::string& bytes) = 0;
  // Every rank's bytes, in rank order, on rank 0 (other ranks get an empty list).
  virtual std::vector<std::string> gather(const std::string& bytes) = 0;
  // Rank root's bytes on every rank.
  virtual void broadcast(std::string& bytes, int root) = 0;
  virtual void barrier() = 0;

  // Ends every rank of the job now; a rank that failed calls it after printing its error, so
  // the others do not wait for it forever.
  [[noreturn]] virtual void abort(int exit_code) = 0;
};

// A single process.
std::unique_ptr<Communicator> make_local_communicator();

// MPI when this process was started by an MPI launcher (mpirun, mpiexec, srun) and mmn was
// built with MPI; otherwise a single process. A job of several processes without MPI in the
// build is an error. Call once, early in main.
std::unique_ptr<Communicator> make_communicator(int* argc, char*** argv);

// True when an MPI launcher started this process (its environment says so).
bool launched_by_mpi();

// This process's rank among the job's processes on the same machine, as the launcher
// (OpenMPI, MPICH/PMI, Slurm) tells it; 0 for a single process. Picks the GPU.
int local_rank();

}  // namespace mmn
