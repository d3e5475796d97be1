#pragma once
// The tensor-core vocabulary of a kernel header: nvcuda::wmma and __nv_bfloat16. Under nvcc
// they are CUDA's (<mma.h>, <cuda_bf16.h>; bf16 and tf32 need sm_80 or later); under a host
// compiler the emulator's (mmn/sim/wmma.h), which rounds operands as the GPU does.
#include "mmn/device/kernel_api.h"

#if defined(__CUDACC__)
#include <cuda_bf16.h>
#include <mma.h>
#else
#include "mmn/sim/bf16.h"
#include "mmn/sim/wmma.h"
#endif
