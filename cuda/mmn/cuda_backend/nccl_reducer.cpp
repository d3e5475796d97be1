#include "mmn/cuda_backend/nccl_reducer.h"

#include <nccl.h>

#include <string>

#include <fmt/format.h>

#include "mmn/comm/communicator.h"
#include "mmn/device/cuda_check.h"
#include "mmn/util/error.h"

namespace mmn::device {

// NCCL's status codes through MMN_CUDA_CHECK, as the CUDA runtime's.
static void check_cuda(ncclResult_t result, const std::string& call, const char* file, int line) {
  if (result != ncclSuccess)
    throw DeviceError(fmt::format("{}:{}: {} failed: NCCL error {} ({}); {}", file, line, call,
                                  static_cast<int>(result), ncclGetErrorString(result), ncclGetLastError(nullptr)));
}

}  // namespace mmn::device

namespace mmn {

struct NcclReducer::Handle {
  ncclComm_t comm = nullptr;
};

NcclReducer::NcclReducer(Communicator& comm, int device) : handle_(std::make_unique<Handle>()) {
  ncclUniqueId id{};
  if (comm.rank() == 0) MMN_CUDA_CHECK(ncclGetUniqueId(&id));
  std::string bytes(reinterpret_cast<const char*>(&id), sizeof id);
  comm.broadcast(bytes, 0);
  if (bytes.size() != sizeof id) fail("NCCL bootstrap: rank 0 sent an id of {} bytes, expected {}", bytes.size(), sizeof id);
  std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char*>(&id));
  MMN_CUDA_CHECK(cudaSetDevice(device));
  MMN_CUDA_CHECK(ncclCommInitRank(&handle_->comm, comm.size(), id, comm.rank()));
}

NcclReducer::~NcclReducer() {
  if (handle_ && handle_->comm != nullptr) ncclCommDestroy(handle_->comm);
}

void NcclReducer::sum_in_place(float* data, std::size_t n, void* stream) {
  MMN_CUDA_CHECK(ncclAllReduce(data, data, n, ncclFloat32, ncclSum, handle_->comm, static_cast<cudaStream_t>(stream)));
}

void NcclReducer::gather_in_rank_order(const void* mine, const std::vector<std::size_t>& sizes, void* into,
                                       void* stream) {
  auto* out = static_cast<char*>(into);
  MMN_CUDA_CHECK(ncclGroupStart());
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    if (sizes[r] > 0)
      MMN_CUDA_CHECK(ncclBroadcast(mine, out, sizes[r], ncclUint8, static_cast<int>(r), handle_->comm,
                                   static_cast<cudaStream_t>(stream)));
    out += sizes[r];
  }
  MMN_CUDA_CHECK(ncclGroupEnd());
}

}  // namespace mmn
