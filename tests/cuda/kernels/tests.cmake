# The CUDA kernels, run on the CPU by the SIMT emulator and compared with the CPU backend's ops
# (included by tests/CMakeLists.txt).
mmn_add_test(kernel_tests
  cuda/kernels/auc_test.cpp
  cuda/kernels/composed_gemm_test.cpp
  cuda/kernels/composed_gemm_tc_test.cpp
  cuda/kernels/embedding_test.cpp
  cuda/kernels/fold_split_test.cpp
  cuda/kernels/optimizers_test.cpp
  cuda/kernels/routing_test.cpp
  cuda/kernels/weighted_bce_test.cpp
)
target_link_libraries(kernel_tests PRIVATE mmn_sim)

# nvcc compiles every kernel header for sm_80/sm_90 (no GPU needed).
if(MMN_CUDA_ENABLED)
  add_library(kernels_nvcc_check OBJECT cuda/kernels/nvcc_check.cu)
  target_include_directories(kernels_nvcc_check PRIVATE ${PROJECT_SOURCE_DIR}/cuda ${PROJECT_SOURCE_DIR}/host)
  mmn_set_warnings(kernels_nvcc_check)
endif()
