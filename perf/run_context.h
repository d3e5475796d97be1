#pragma once
// What a result file must carry to be read later: machine, commit and configuration,
// added to Google Benchmark's "context" block of the JSON output.
namespace mmn::perf {

// git commit (MMN_GIT_COMMIT at run time, else the one seen at configure time), CPU
// model, thread count, build type, MMN_NATIVE, compiler, smoke mode, and the BLAS
// library with the kernels it runs (loading it, so a benchmark's timings exclude that).
void add_run_context();

}  // namespace mmn::perf
