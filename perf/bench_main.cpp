// main() of every benchmark binary: Google Benchmark's, plus the run context.
#include <benchmark/benchmark.h>

#include "run_context.h"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  mmn::perf::add_run_context();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
