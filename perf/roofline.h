#pragma once
// Roofline references measured in the same run as the benchmark that quotes them.
#include <cstddef>

namespace mmn::perf {

// Bytes copied per second by memcpy between two buffers of `bytes` each, all threads
// of the pool copying their own slice. Best of several repeats.
double memcpy_bandwidth(std::size_t bytes = std::size_t{256} << 20, std::size_t threads = 0);

// FLOP/s of a large square single-precision GEMM through OpenBLAS, rows split over
// `threads` (0: all) the way mmn splits its own work. Best of several repeats.
double sgemm_flops(int size = 2048, std::size_t threads = 0);

}  // namespace mmn::perf
