# GPU benchmarks (built with the CUDA library; they skip with a message where no GPU
# exists): the grouped per-domain tower layer through cuBLAS (host code), and the kernel lab.
if(NOT MMN_CUDA_ENABLED)
  return()
endif()
mmn_add_benchmark(grouped_gemm_bench cuda/grouped_gemm_bench.cpp)
target_link_libraries(grouped_gemm_bench PRIVATE CUDA::cudart CUDA::cublas)

# The kernel lab: versions of the grouped composed GEMM, each checked against the CPU op and
# timed with CUDA events (nvcc; exits 0 with a message where no GPU exists).
add_executable(grouped_gemm_lab cuda/grouped_gemm_lab.cu)
target_link_libraries(grouped_gemm_lab PRIVATE mmn_host CUDA::cudart)
target_include_directories(grouped_gemm_lab PRIVATE ${PROJECT_SOURCE_DIR}/cuda)
mmn_set_warnings(grouped_gemm_lab)
