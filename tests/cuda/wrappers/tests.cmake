# The CUB / cuBLAS wrappers (cuda/mmn/wrappers; included by tests/CMakeLists.txt): tested under
# the emulator against std:: algorithms and a naive GEMM; in CUDA builds nvcc compiles them,
# and the same tests build as a GPU test binary (skipped where no GPU is).
set(_mmn_wrapper_tests
  cuda/wrappers/radix_sort_test.cpp
  cuda/wrappers/reduce_test.cpp
  cuda/wrappers/scan_test.cpp
  cuda/wrappers/sgemm_test.cpp
)
if(MMN_EMULATOR)
  mmn_add_test(wrapper_tests ${_mmn_wrapper_tests})
  target_link_libraries(wrapper_tests PRIVATE mmn_wrappers_sim)
endif()

if(MMN_CUDA_ENABLED)
  add_library(wrappers_nvcc_check OBJECT cuda/wrappers/nvcc_check.cu)
  target_link_libraries(wrappers_nvcc_check PRIVATE mmn_wrappers_cuda)
  mmn_set_warnings(wrappers_nvcc_check)

  include(${CMAKE_CURRENT_LIST_DIR}/../gpu/gpu_test.cmake)
  mmn_add_gpu_test(wrapper_gpu_tests ${_mmn_wrapper_tests})
  target_link_libraries(wrapper_gpu_tests PRIVATE mmn_wrappers_cuda)
endif()
