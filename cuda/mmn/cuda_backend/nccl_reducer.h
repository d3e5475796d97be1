#pragma once
// Gradients exchanged across the job's GPUs by NCCL, in device memory, on the compute stream:
// dense gradients summed, embedding rows gathered. One NCCL communicator per process,
// bootstrapped over the job's (MPI) communicator. Built only with NCCL (MMN_HAVE_NCCL);
// elsewhere gradients go through host memory and MPI.
#include <cstddef>
#include <memory>
#include <vector>

namespace mmn {

class Communicator;

class NcclReducer {
 public:
  // Collective: every rank calls it; rank 0 makes the NCCL id and broadcasts it over `comm`.
  NcclReducer(Communicator& comm, int device);
  ~NcclReducer();
  NcclReducer(const NcclReducer&) = delete;
  NcclReducer& operator=(const NcclReducer&) = delete;

  // data (n floats in device memory) becomes its element-wise sum over the ranks; queued on
  // `stream` (a cudaStream_t). Every rank ends with the same values.
  void sum_in_place(float* data, std::size_t n, void* stream);
  // `into` (device memory) gets every rank's bytes in rank order, rank r's sizes[r] of them (this
  // rank's from `mine`): one broadcast per rank in one NCCL group, queued on `stream`.
  void gather_in_rank_order(const void* mine, const std::vector<std::size_t>& sizes, void* into, void* stream);

 private:
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

}  // namespace mmn
