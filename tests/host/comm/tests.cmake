# Communication between ranks (included by tests/CMakeLists.txt).
mmn_add_test(comm_tests host/comm/gradient_exchange_test.cpp)

if(MMN_MPI_ENABLED)
  add_executable(comm_mpi_tests host/comm/mpi_communicator_test.cpp)
  target_link_libraries(comm_mpi_tests PRIVATE mmn_host GTest::gtest)
  mmn_set_warnings(comm_mpi_tests)
  add_test(NAME comm.mpi_two_ranks
           COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} 2 --oversubscribe $<TARGET_FILE:comm_mpi_tests>)
  set_tests_properties(comm.mpi_two_ranks PROPERTIES TIMEOUT 120 ENVIRONMENT
    "OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_btl=self,vader;ASAN_OPTIONS=detect_leaks=0")
endif()
