mmn_add_test(trainer_command_tests
  trainer/ingest_command_test.cpp
  trainer/predict_command_test.cpp
  trainer/synth_command_test.cpp
)
target_link_libraries(trainer_command_tests PRIVATE PkgConfig::ZLIB PkgConfig::ZSTD)  # compressed test inputs
target_compile_definitions(trainer_command_tests PRIVATE MMN_EMULATED_CUDA_BINARY="$<TARGET_FILE:mmn-emulated-cuda>")
add_dependencies(trainer_command_tests mmn-emulated-cuda)

if(MMN_MPI_ENABLED)
  mmn_add_test(data_parallel_tests trainer/data_parallel_test.cpp)
  target_compile_definitions(data_parallel_tests PRIVATE MMN_MPIEXEC="${MPIEXEC_EXECUTABLE}"
                                                         MMN_EMULATED_CUDA_BINARY="$<TARGET_FILE:mmn-emulated-cuda>")
  add_dependencies(data_parallel_tests mmn-emulated-cuda)
  if(MMN_CUDA_ENABLED)
    target_compile_definitions(data_parallel_tests PRIVATE MMN_CUDA_BUILD=1)
  endif()
endif()

# ONNX export checked with ONNX Runtime (Python, from scripts/python-test-env.sh).
if(MMN_ONNX)
  mmn_add_test(export_command_tests trainer/export_command_test.cpp)
  target_compile_definitions(export_command_tests PRIVATE MMN_TESTS_DIR="${CMAKE_CURRENT_SOURCE_DIR}")
endif()
