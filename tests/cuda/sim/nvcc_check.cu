// Compiled by nvcc only: the portable kernel API and the emulator's test kernels build for
// the GPU too. Nothing runs; each kernel is launched once from a host function.
#include "cuda/sim/atomic_kernels.h"
#include "cuda/sim/broken_kernels.h"
#include "cuda/sim/indexing_kernels.h"
#include "cuda/sim/schedule_kernels.h"
#include "cuda/sim/shared_memory_kernels.h"
#include "cuda/sim/warp_kernels.h"
#include "cuda/sim/wmma_kernels.h"
#include "mmn/device/device_buffer.h"

namespace mmn::sim_test {

void launch_every_test_kernel(cudaStream_t stream) {
  DeviceBuffer<int> ints(64);
  DeviceBuffer<unsigned> uints(64);
  DeviceBuffer<float> floats(64);
  DeviceBuffer<unsigned long long> wide(64);
  const dim3 one(1), warp(32);
  MMN_LAUNCH(record_indices, one, warp, 0, stream, uints.data());
  MMN_LAUNCH(saxpy, one, warp, 0, stream, 64, 2.0f, floats.data(), floats.data(), floats.data());
  MMN_LAUNCH(reverse_in_blocks, one, warp, 0, stream, ints.data(), ints.data());
  MMN_LAUNCH((block_sum<float>), one, warp, 0, stream, floats.data(), floats.data());
  MMN_LAUNCH(rotate_through_dynamic_shared, one, warp, 256, stream, floats.data(), floats.data(), ints.data());
  MMN_LAUNCH(read_shared_before_writing, one, warp, 4, stream, uints.data());
  MMN_LAUNCH((shuffle_kinds<double>), one, warp, 0, stream, nullptr, nullptr, ShuffleParams{1, 1, 1, 32});
  MMN_LAUNCH(shuffle_down_half_warp, one, warp, 0, stream, ints.data(), ints.data(), 1u);
  MMN_LAUNCH(warp_allreduce, one, warp, 0, stream, floats.data(), floats.data());
  MMN_LAUNCH(votes, one, warp, 0, stream, ints.data(), uints.data(), 0xffffffffu);
  MMN_LAUNCH(active_mask_after_exits, one, warp, 0, stream, uints.data(), 0u);
  MMN_LAUNCH(matches, one, warp, 0, stream, ints.data(), uints.data());
  MMN_LAUNCH(warp_reductions, one, warp, 0, stream, ints.data(), ints.data());
  MMN_LAUNCH(block_votes, one, warp, 0, stream, ints.data(), ints.data());
  MMN_LAUNCH((atomic_add_all<float>), one, warp, 0, stream, floats.data(), 1.0f, floats.data());
  MMN_LAUNCH((atomic_add_all<unsigned long long>), one, warp, 0, stream, wide.data(), 1ull, wide.data());
  MMN_LAUNCH((atomic_folds<unsigned long long>), one, warp, 0, stream, wide.data(), wide.data());
  MMN_LAUNCH((atomic_sub_all<int>), one, warp, 0, stream, ints.data(), ints.data());
  MMN_LAUNCH((atomic_claim<unsigned short>), one, warp, 0, stream, nullptr, ints.data());
  MMN_LAUNCH((atomic_exchange_chain<float>), one, warp, 0, stream, floats.data(), floats.data());
  MMN_LAUNCH(atomic_wrapping, one, warp, 0, stream, uints.data(), 9u);
  MMN_LAUNCH(log_run_order, one, warp, 0, stream, uints.data(), uints.data());
  MMN_LAUNCH(log_run_order_around_barrier, one, warp, 0, stream, uints.data(), uints.data());
  MMN_LAUNCH(rotate_left<true>, one, warp, 0, stream, ints.data(), ints.data());
  MMN_LAUNCH(warp_tree_sum<true>, one, warp, 0, stream, uints.data(), uints.data());
  MMN_LAUNCH(barrier_after_early_exit, one, warp, 0, stream, ints.data(), 1u);
  MMN_LAUNCH(barriers_at_two_sites, one, warp, 0, stream, ints.data());
  MMN_LAUNCH(shuffle_after_early_exit, one, warp, 0, stream, ints.data(), ints.data(), 1u);
  MMN_LAUNCH(shuffle_with_mask, one, warp, 0, stream, ints.data(), ints.data(), 1u);
  MMN_LAUNCH(shuffle_against_barrier, one, warp, 0, stream, ints.data(), ints.data());
  MMN_LAUNCH(shuffle_against_ballot, one, warp, 0, stream, ints.data(), ints.data());
  MMN_LAUNCH(shuffle_with_width, one, warp, 0, stream, ints.data(), ints.data(), 8);
  MMN_LAUNCH(overrun_dynamic_shared, one, warp, 4, stream, ints.data(), 1u);
  MMN_LAUNCH(overrun_static_shared, one, warp, 0, stream, ints.data(), 1u);
  MMN_LAUNCH(wmma_bf16_tile<true>, one, warp, 0, stream, floats.data(), floats.data(), floats.data(), floats.data());
  MMN_LAUNCH(wmma_tf32_tile<true>, one, warp, 0, stream, floats.data(), floats.data(), floats.data());
  MMN_LAUNCH(wmma_bad_load, one, warp, 0, stream, 16u, 0u);
  MMN_LAUNCH(wmma_divergent_mma, one, warp, 0, stream, 32u);
  MMN_LAUNCH(wmma_store_then_read<true>, one, dim3(64), 0, stream, floats.data());
}

}  // namespace mmn::sim_test
