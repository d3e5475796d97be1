#pragma once
// GPU roofline references, measured on the benchmark's GPU right after the benchmark ran
// (clocks follow load and temperature, so a figure from another moment would not compare),
// and the counters every GPU benchmark reports against them.
//   compute:   FLOP/s of a large cuBLAS GEMM at the operand precision of the kernel measured:
//              fp32: cublasSgemm, no TF32 (the SIMT kernels); tf32: cublasGemmEx on fp32 data
//              with CUBLAS_COMPUTE_32F_FAST_TF32; bf16: cublasGemmEx, bf16 A and B, fp32 C,
//              CUBLAS_COMPUTE_32F (the tensor-core kernels also write fp32);
//   bandwidth: bytes read + written per second by a device-to-device cudaMemcpy of a buffer
//              far larger than the L2 (a copy reads and writes each byte: 2 x bytes copied).
#include <benchmark/benchmark.h>

#include "mmn/ops/operand_precision.h"

namespace mmn::perf {

double gpu_gemm_roofline(Precision p);  // FLOP/s, best of 3 (8192^3; 1024^3 in smoke runs)
inline double gpu_sgemm_roofline() { return gpu_gemm_roofline(Precision::fp32); }
double gpu_copy_roofline();  // bytes/s, best of 3

// What one iteration does, counted from the sizes: floating-point operations (0 for kernels
// that only move or sort data) and bytes read + written from device memory.
struct GpuWork {
  double flops = 0.0;
  double bytes = 0.0;
};

// Sets flops_per_iteration, bytes_per_iteration, GFLOP/s and GB/s over `seconds` (the events'
// sum over the iterations), the two rooflines (the compute one at `precision`),
// fraction_of_flop_roofline and fraction_of_bandwidth_roofline, and fraction_of_roofline: the
// larger of the two, i.e. the time the roofline model allows (bound by the slower resource)
// over the time measured.
void report_gpu_work(benchmark::State& state, const GpuWork& per_iteration, double seconds,
                     Precision precision = Precision::fp32);

}  // namespace mmn::perf
