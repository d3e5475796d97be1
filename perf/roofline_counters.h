#pragma once
// The two CPU roofline references (perf/roofline.h), measured again each time a
// benchmark is quoted against them, right after it ran: on a shared machine the load
// changes within a run, and a roofline measured at another moment would not compare.
// The counters:
//   compute: counted FLOPs per iteration / the FLOP/s of a large OpenBLAS sgemm;
//   memory:  counted bytes read + written per iteration / the traffic of a large memcpy
//            (which reads and writes every byte it copies: 2 x bytes copied per second).
// Every figure is measured in the same run as the benchmark that quotes it.
#include <benchmark/benchmark.h>

namespace mmn::perf {

double sgemm_roofline();   // FLOP/s of a 2048^3 sgemm, measured now
double memory_roofline();  // bytes read + written per second by a 128 MiB memcpy, measured now

// Sets GFLOP/s, roofline_GFLOP/s and fraction_of_roofline (counted FLOPs / sgemm FLOP/s).
void report_flops(benchmark::State& state, double flops_per_iteration);
// Sets GB/s, roofline_GB/s and fraction_of_roofline (counted bytes / memcpy traffic).
void report_bytes(benchmark::State& state, double bytes_per_iteration);

}  // namespace mmn::perf
