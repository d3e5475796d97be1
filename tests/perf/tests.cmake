# perf/: the comparison tool on hand-made result files, and scripts/bench.sh --smoke
# end to end (every benchmark binary, a few seconds in all). Needs the perf/ targets.

# The GPU step projection (a Python script, no build target): its figures on a shape worked by hand.
find_program(MMN_PYTHON3 python3)
if(MMN_PYTHON3)
  add_test(NAME perf.project_step
           COMMAND ${MMN_PYTHON3} ${CMAKE_CURRENT_LIST_DIR}/cuda/project_step_test.py
                   ${PROJECT_SOURCE_DIR}/perf/cuda/project_step.py)
  set_tests_properties(perf.project_step PROPERTIES TIMEOUT 60)
endif()

if(NOT MMN_BUILD_PERF)
  return()
endif()

mmn_add_test(perf_compare_tests perf/perf_compare_test.cpp)
target_link_libraries(perf_compare_tests PRIVATE mmn_perf_compare)
target_compile_definitions(perf_compare_tests PRIVATE MMN_PERF_COMPARE="$<TARGET_FILE:mmn_perf_compare_tool>")
add_dependencies(perf_compare_tests mmn_perf_compare_tool)

# One CTest test for the whole binary: its tests share one bench.sh run (about 15 s).
add_executable(perf_bench_smoke_tests perf/bench_smoke_test.cpp)
target_link_libraries(perf_bench_smoke_tests PRIVATE nlohmann_json::nlohmann_json GTest::gtest GTest::gtest_main)
target_compile_definitions(perf_bench_smoke_tests PRIVATE MMN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
mmn_set_warnings(perf_bench_smoke_tests)
add_test(NAME perf.bench_smoke COMMAND perf_bench_smoke_tests)
set_tests_properties(perf.bench_smoke PROPERTIES TIMEOUT 300)
target_compile_definitions(perf_bench_smoke_tests PRIVATE MMN_PERF_COMPARE="$<TARGET_FILE:mmn_perf_compare_tool>"
                                                          MMN_BUILD_ROOT="${CMAKE_BINARY_DIR}")
add_dependencies(perf_bench_smoke_tests mmn_benchmarks mmn_perf_compare_tool mmn_perf_masking_table)
