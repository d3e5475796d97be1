#include "run_context.h"

#include <benchmark/benchmark.h>

#include <string>

#include "mmn/ops/blas.h"
#include "mmn/util/build_info.h"
#include "mmn/util/thread_pool.h"
#include "run_mode.h"

#ifndef MMN_BUILD_TYPE
#define MMN_BUILD_TYPE "unknown"
#endif
#ifndef MMN_NATIVE_BUILD
#define MMN_NATIVE_BUILD 0
#endif

namespace mmn::perf {

void add_run_context() {
  benchmark::AddCustomContext("mmn_git_commit", git_commit());
  benchmark::AddCustomContext("mmn_cpu_model", cpu_model());
  benchmark::AddCustomContext("mmn_threads", std::to_string(ThreadPool::default_threads()));
  benchmark::AddCustomContext("mmn_build_type", MMN_BUILD_TYPE);
  benchmark::AddCustomContext("mmn_native", MMN_NATIVE_BUILD ? "ON" : "OFF");
  benchmark::AddCustomContext("mmn_compiler", __VERSION__);
  benchmark::AddCustomContext("mmn_smoke", smoke() ? "1" : "0");
  const blas::LibraryInfo& blas = blas::library_info();
  benchmark::AddCustomContext("mmn_blas_library", blas.path);
  benchmark::AddCustomContext("mmn_blas_config", blas.config);
  benchmark::AddCustomContext("mmn_blas_core", blas.core);
  benchmark::AddCustomContext("mmn_blas_core_chosen_by", blas.core_chosen_by);
  benchmark::AddCustomContext("mmn_cpu_simd", blas.cpu_simd);
  if (!blas.warning.empty()) benchmark::AddCustomContext("mmn_blas_warning", blas.warning);
}

}  // namespace mmn::perf
