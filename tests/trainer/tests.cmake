mmn_add_test(trainer_command_tests
  trainer/predict_command_test.cpp
)

if(MMN_MPI_ENABLED)
  mmn_add_test(data_parallel_tests trainer/data_parallel_test.cpp)
  target_compile_definitions(data_parallel_tests PRIVATE MMN_MPIEXEC="${MPIEXEC_EXECUTABLE}")
endif()
