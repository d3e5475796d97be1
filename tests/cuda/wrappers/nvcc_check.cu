// Compiled by nvcc only: every wrapper instantiates against CUB and cuBLAS. Nothing runs here.
#include <cstddef>
#include <cstdint>

#include "mmn/wrappers/radix_sort.h"
#include "mmn/wrappers/reduce.h"
#include "mmn/wrappers/scan.h"
#include "mmn/wrappers/sgemm.h"

namespace mmn::wrappers {

void instantiate_every_wrapper(void* workspace, std::size_t bytes, std::uint32_t* u32, std::uint64_t* u64, float* f,
                               std::size_t n, cudaStream_t stream, BlasHandle& blas) {
  sort_pairs(workspace, bytes, u32, u32 + n, u32 + 2 * n, u32 + 3 * n, n, stream);
  sort_pairs(workspace, bytes, u64, u64 + n, u32, u32 + n, n, stream, 0, 40);
  exclusive_sum(workspace, bytes, u32, u32, n, stream);
  exclusive_sum(workspace, bytes, f, f + n, n, stream);
  sum(workspace, bytes, u64, u64 + n, n, stream);
  sum(workspace, bytes, f, f + n, n, stream);
  sgemm(blas, Op::none, Op::transpose, 4, 4, 4, 1.0f, f, 4, f, 4, 0.0f, f, 4);
}

}  // namespace mmn::wrappers
