# Tests of the SIMT emulator (included by tests/CMakeLists.txt).
mmn_add_test(sim_tests
  cuda/sim/indexing_test.cpp
  cuda/sim/shared_memory_test.cpp
  cuda/sim/shuffle_test.cpp
  cuda/sim/vote_test.cpp
  cuda/sim/atomics_test.cpp
  cuda/sim/schedule_test.cpp
  cuda/sim/errors_test.cpp
  cuda/sim/unwinding_test.cpp
  cuda/sim/stack_overflow_test.cpp
  cuda/sim/asan_test.cpp
  cuda/sim/wmma_test.cpp
)
target_link_libraries(sim_tests PRIVATE mmn_sim GTest::gmock)

# The whole binary again in the other thread orders, as MMN_SIM_ORDER lets any kernel test run.
foreach(_order reverse random:7)
  string(REPLACE ":" "" _name "${_order}")
  add_test(NAME sim_tests.order_${_name} COMMAND sim_tests --gtest_brief=1)
  set_tests_properties(sim_tests.order_${_name} PROPERTIES ENVIRONMENT "MMN_SIM_ORDER=${_order}" TIMEOUT 300)
endforeach()

# nvcc compiles the portable kernel API and the test kernels for sm_80/sm_90 (no GPU needed).
if(MMN_CUDA_ENABLED)
  add_library(sim_nvcc_check OBJECT cuda/sim/nvcc_check.cu)
  target_include_directories(sim_nvcc_check PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/cuda
                                                  ${PROJECT_SOURCE_DIR}/host)
  mmn_set_warnings(sim_nvcc_check)
endif()
