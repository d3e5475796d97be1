#pragma once
// Stable device radix sort of (key, value) pairs by the key bits [begin_bit, end_bit):
// cub::DeviceRadixSort::SortPairs under nvcc, std::stable_sort under the emulator.
//
//   DeviceBuffer<std::byte> workspace(sort_pairs_workspace_bytes<Key, Value>(n));
//   sort_pairs(workspace.data(), workspace.size(), keys, sorted_keys, values, sorted_values, n, stream);
//
// Keys are unsigned integers. Inputs and outputs are distinct arrays of n elements each; the
// workspace holds at least sort_pairs_workspace_bytes bytes (asked again and checked here).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "mmn/device/kernel_api.h"
#include "mmn/wrappers/cuda_status.h"
#include "mmn/wrappers/item_count.h"

#if defined(__CUDACC__)
#include <cub/device/device_radix_sort.cuh>
#endif

namespace mmn::wrappers {

template <typename Key, typename Value>
std::size_t sort_pairs_workspace_bytes(std::size_t n) {
  static_assert(std::is_unsigned_v<Key>, "sort_pairs sorts unsigned integer keys");
  const int items = item_count(n, "sort_pairs_workspace_bytes");
#if defined(__CUDACC__)
  std::size_t bytes = 0;
  check_cuda(cub::DeviceRadixSort::SortPairs(nullptr, bytes, static_cast<const Key*>(nullptr),
                                             static_cast<Key*>(nullptr), static_cast<const Value*>(nullptr),
                                             static_cast<Value*>(nullptr), items),
             "sort_pairs_workspace_bytes: cub::DeviceRadixSort::SortPairs");
  return bytes;
#else
  return static_cast<std::size_t>(items) * sizeof(std::uint32_t);  // the permutation
#endif
}

template <typename Key, typename Value>
void sort_pairs(void* workspace, std::size_t workspace_bytes, const Key* keys_in, Key* keys_out, const Value* values_in,
                Value* values_out, std::size_t n, cudaStream_t stream, int begin_bit = 0,
                int end_bit = static_cast<int>(sizeof(Key) * 8)) {
  if (begin_bit < 0 || begin_bit >= end_bit || end_bit > static_cast<int>(sizeof(Key) * 8))
    throw std::invalid_argument("sort_pairs: key bits [" + std::to_string(begin_bit) + ", " + std::to_string(end_bit) +
                                ") are not a non-empty range within the key's " + std::to_string(sizeof(Key) * 8));
  if (n > 0 && (static_cast<const void*>(keys_in) == keys_out || static_cast<const void*>(values_in) == values_out))
    throw std::invalid_argument("sort_pairs: input and output arrays must be distinct");
  const std::size_t needed = sort_pairs_workspace_bytes<Key, Value>(n);
  check_workspace(workspace_bytes, needed, "sort_pairs");
  if (n == 0) return;
#if defined(__CUDACC__)
  std::size_t bytes = workspace_bytes;
  check_cuda(cub::DeviceRadixSort::SortPairs(workspace, bytes, keys_in, keys_out, values_in, values_out,
                                             static_cast<int>(n), begin_bit, end_bit, stream),
             "sort_pairs: cub::DeviceRadixSort::SortPairs");
#else
  (void)stream;
  auto* order = static_cast<std::uint32_t*>(workspace);
  std::iota(order, order + n, std::uint32_t{0});
  const int width = end_bit - begin_bit;
  const Key mask = width == static_cast<int>(sizeof(Key) * 8) ? static_cast<Key>(~Key{0})
                                                              : static_cast<Key>((Key{1} << width) - 1);
  const auto bits = [&](std::uint32_t i) { return static_cast<Key>((keys_in[i] >> begin_bit) & mask); };
  std::stable_sort(order, order + n, [&](std::uint32_t a, std::uint32_t b) { return bits(a) < bits(b); });
  for (std::size_t i = 0; i < n; ++i) {
    keys_out[i] = keys_in[order[i]];
    values_out[i] = values_in[order[i]];
  }
#endif
}

}  // namespace mmn::wrappers
