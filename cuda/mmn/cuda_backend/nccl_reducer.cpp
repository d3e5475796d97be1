#include "mmn/cuda_backend/nccl_reducer.h"

#include <cuda_runtime.h>
#include <nccl.h>

#include <string>

#include "mmn/comm/communicator.h"
#include "mmn/util/error.h"

namespace mmn {
namespace {

void check(ncclResult_t result, const char* call, const char* file, int line) {
  if (result != ncclSuccess)
    fail("{}:{}: {} failed: NCCL error {} ({}); {}", file, line, call, static_cast<int>(result),
         ncclGetErrorString(result), ncclGetLastError(nullptr));
}
#define MMN_NCCL_CHECK(call) check((call), #call, __FILE__, __LINE__)

}  // namespace

struct NcclReducer::Handle {
  ncclComm_t comm = nullptr;
};

NcclReducer::NcclReducer(Communicator& comm, int device) : handle_(std::make_unique<Handle>()) {
  ncclUniqueId id{};
  if (comm.rank() == 0) MMN_NCCL_CHECK(ncclGetUniqueId(&id));
  std::string bytes(reinterpret_cast<const char*>(&id), sizeof id);
  comm.broadcast(bytes, 0);
  if (bytes.size() != sizeof id) fail("NCCL bootstrap: rank 0 sent an id of {} bytes, expected {}", bytes.size(), sizeof id);
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(&id));
  const cudaError_t selected = cudaSetDevice(device);
  if (selected != cudaSuccess) fail("NCCL bootstrap: cudaSetDevice({}) failed: {}", device, cudaGetErrorString(selected));
  MMN_NCCL_CHECK(ncclCommInitRank(&handle_->comm, comm.size(), id, comm.rank()));
}

NcclReducer::~NcclReducer() {
  if (handle_ && handle_->comm != nullptr) ncclCommDestroy(handle_->comm);
}

void NcclReducer::sum_in_place(float* data, std::size_t n, void* stream) {
  MMN_NCCL_CHECK(ncclAllReduce(data, data, n, ncclFloat32, ncclSum, handle_->comm, static_cast<cudaStream_t>(stream)));
}

}  // namespace mmn
