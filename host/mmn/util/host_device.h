#pragma once
// MMN_HOST_DEVICE marks a function that host code and CUDA kernels both call: nvcc compiles it
// for the host and the device; a host compiler (plain builds and the SIMT emulator, whose
// kernels are host code) sees an ordinary function.
#if defined(__CUDACC__)
#define MMN_HOST_DEVICE __host__ __device__
#else
#define MMN_HOST_DEVICE
#endif
