# The kernel tests (tests/cuda/kernels) compiled by nvcc into one real GPU test binary,
# kernel_gpu_tests (CUDA builds only; included by tests/CMakeLists.txt).
if(NOT MMN_CUDA_ENABLED)
  return()
endif()
include(${CMAKE_CURRENT_LIST_DIR}/gpu_test.cmake)

file(GLOB _mmn_kernel_test_sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/cuda/kernels/*_test.cpp)
mmn_add_gpu_test(kernel_gpu_tests ${_mmn_kernel_test_sources})
