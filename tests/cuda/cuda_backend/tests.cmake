# The CUDA training backend's whole step and whole runs against the CPU backend (included by
# tests/CMakeLists.txt): on the SIMT emulator always, and on a GPU in CUDA builds (skipped
# visibly where no device exists).
set(_mmn_backend_test_sources
  cuda/cuda_backend/cuda_backend_test.cpp
  cuda/cuda_backend/cuda_training_test.cpp
  cuda/cuda_backend/device_model_test.cpp
  cuda/cuda_backend/device_model_queue_test.cpp
)
if(MMN_EMULATOR)
  mmn_add_test(cuda_backend_tests ${_mmn_backend_test_sources})
  target_link_libraries(cuda_backend_tests PRIVATE mmn_backend_emulated)
endif()

if(MMN_CUDA_ENABLED)
  include(${CMAKE_CURRENT_LIST_DIR}/../gpu/gpu_test.cmake)
  add_executable(cuda_backend_gpu_tests ${_mmn_backend_test_sources})
  target_include_directories(cuda_backend_gpu_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(cuda_backend_gpu_tests PRIVATE gpu_test_main mmn_backend_cuda)
  mmn_set_warnings(cuda_backend_gpu_tests)
  add_test(NAME cuda_backend_gpu_tests COMMAND cuda_backend_gpu_tests --gtest_brief=1)
  set_tests_properties(cuda_backend_gpu_tests PROPERTIES SKIP_REGULAR_EXPRESSION "no CUDA device" LABELS "cuda;gpu"
                                                         TIMEOUT 900)
endif()
