# GPU benchmarks (CUDA builds only). Each skips with "no CUDA device" where no GPU exists, and
# the binaries still exit 0. Timed with CUDA events, the L2 flushed before each repeat, against
# rooflines measured on the same GPU in the same run (cuda/gpu_roofline.h).
if(NOT MMN_CUDA_ENABLED)
  return()
endif()

# Events, rooflines and counters shared by the GPU benchmarks (host code).
add_library(mmn_gpu_bench_support STATIC cuda/gpu_roofline.cpp)
target_include_directories(mmn_gpu_bench_support PUBLIC ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/cuda
                                                        ${PROJECT_SOURCE_DIR}/cuda)
target_link_libraries(mmn_gpu_bench_support PUBLIC mmn_host benchmark::benchmark CUDA::cudart CUDA::cublas)
mmn_set_warnings(mmn_gpu_bench_support)

# The grouped per-domain tower layer: the project's kernel against cuBLAS grouped batched,
# a loop of cuBLAS GEMMs and the masked form.
mmn_add_benchmark(grouped_gemm_bench cuda/grouped_gemm_bench.cu)
target_link_libraries(grouped_gemm_bench PRIVATE mmn_gpu_bench_support)

# Every kernel family of cuda/mmn/kernels, one source per family, each checked against the CPU op.
mmn_add_benchmark(gpu_kernel_bench
  cuda/routing_gpu_bench.cu
  cuda/composed_gemm_gpu_bench.cu
  cuda/weighted_bce_gpu_bench.cu
  cuda/embedding_gpu_bench.cu
  cuda/optimizers_gpu_bench.cu
  cuda/auc_gpu_bench.cu
)
target_link_libraries(gpu_kernel_bench PRIVATE mmn_gpu_bench_support)

# The dry run: the same benchmark sources compiled by the host compiler against the SIMT
# emulator and a host-memory stand-in for the runtime and cuBLAS (cuda/emulated_runtime/), so
# their own code (set-up, checks against the CPU ops, counters) runs where no GPU exists. Its
# times mean nothing. Built on request only:
#   cmake --build BUILD --target gpu_bench_dry_run
#   MMN_PERF_SMOKE=1 BUILD/perf/gpu_bench_dry_run --benchmark_filter='rows:4096'
if(MMN_EMULATOR)
  set(_mmn_dry_run_sources ${CMAKE_CURRENT_SOURCE_DIR}/cuda/gpu_roofline.cpp)
  foreach(_cu grouped_gemm_bench routing_gpu_bench composed_gemm_gpu_bench weighted_bce_gpu_bench embedding_gpu_bench
              optimizers_gpu_bench auc_gpu_bench)
    set(_cpp ${CMAKE_CURRENT_BINARY_DIR}/gpu_bench_dry_run_sources/${_cu}.cpp)
    set(_content "// Generated: ${_cu}.cu for the host compiler and the emulator.\n")
    string(APPEND _content "#include \"${CMAKE_CURRENT_SOURCE_DIR}/cuda/${_cu}.cu\"\n")
    file(CONFIGURE OUTPUT ${_cpp} CONTENT "${_content}")
    list(APPEND _mmn_dry_run_sources ${_cpp})
  endforeach()
  add_executable(gpu_bench_dry_run EXCLUDE_FROM_ALL ${_mmn_dry_run_sources} $<TARGET_OBJECTS:mmn_bench_main>)
  target_include_directories(gpu_bench_dry_run BEFORE PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/cuda/emulated_runtime)
  target_include_directories(gpu_bench_dry_run PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/cuda)
  target_compile_definitions(gpu_bench_dry_run PRIVATE MMN_EMULATED_RUNTIME=1)
  target_link_libraries(gpu_bench_dry_run PRIVATE mmn_host mmn_roofline mmn_sim benchmark::benchmark)
  mmn_set_warnings(gpu_bench_dry_run)
endif()

# The kernel lab: versions of the grouped composed GEMM, each checked against the CPU op and
# timed with CUDA events (nvcc; exits 0 with a message where no GPU exists).
add_executable(grouped_gemm_lab cuda/grouped_gemm_lab.cu)
target_link_libraries(grouped_gemm_lab PRIVATE mmn_gpu_bench_support)
mmn_set_warnings(grouped_gemm_lab)

# The whole training step on a GPU through the CUDA backend (host code linking the nvcc-built
# backend library).
mmn_add_benchmark(train_step_gpu_bench cuda/train_step_gpu_bench.cpp)
target_link_libraries(train_step_gpu_bench PRIVATE mmn_gpu_bench_support mmn_backend_cuda)
target_include_directories(train_step_gpu_bench PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/train)
