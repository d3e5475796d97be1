# GPU benchmarks (built with the CUDA library; they skip with a message where no GPU
# exists): the grouped per-domain tower layer through cuBLAS. Host code only.
if(NOT MMN_CUDA_ENABLED)
  return()
endif()
mmn_add_benchmark(grouped_gemm_bench cuda/grouped_gemm_bench.cpp)
target_link_libraries(grouped_gemm_bench PRIVATE CUDA::cudart CUDA::cublas)
