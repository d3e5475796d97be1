# Build checks (included by tests/CMakeLists.txt): nvcc's resource report for every kernel
# against the budgets in cuda/mmn/kernels/resource_budgets.toml. The checker and its tests
# build everywhere; the check of the real report runs only where nvcc is.
add_library(resource_check_lib STATIC
  ${CMAKE_CURRENT_LIST_DIR}/resource_budgets.cpp
  ${CMAKE_CURRENT_LIST_DIR}/resource_check.cpp
  ${CMAKE_CURRENT_LIST_DIR}/resource_report.cpp
)
target_include_directories(resource_check_lib PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(resource_check_lib PUBLIC mmn_host fmt::fmt PRIVATE PkgConfig::TOMLPLUSPLUS)
mmn_set_warnings(resource_check_lib)

add_executable(resource_check ${CMAKE_CURRENT_LIST_DIR}/resource_check_main.cpp)
target_link_libraries(resource_check PRIVATE resource_check_lib CLI11::CLI11)
mmn_set_warnings(resource_check)

mmn_add_test(build_check_tests cuda/build_checks/resource_check_test.cpp)
target_link_libraries(build_check_tests PRIVATE resource_check_lib)

if(MMN_CUDA_ENABLED)
  set(_mmn_resource_archs "")
  foreach(_arch ${CMAKE_CUDA_ARCHITECTURES})
    string(REGEX REPLACE "-(real|virtual)$" "" _arch "${_arch}")
    list(APPEND _mmn_resource_archs ${_arch})
  endforeach()
  string(REPLACE ";" "," _mmn_resource_archs "${_mmn_resource_archs}")
  add_test(NAME build_checks.kernel_resources
           COMMAND ${CMAKE_COMMAND}
                   -DNVCC=${CMAKE_CUDA_COMPILER}
                   -DHOST_COMPILER=${CMAKE_CUDA_HOST_COMPILER}
                   -DSOURCE=${PROJECT_SOURCE_DIR}/tests/cuda/kernels/nvcc_check.cu
                   -DINCLUDE_DIRS=${PROJECT_SOURCE_DIR}/cuda,${PROJECT_SOURCE_DIR}/host,${PROJECT_SOURCE_DIR}/tests
                   -DARCHS=${_mmn_resource_archs}
                   -DBUDGETS=${PROJECT_SOURCE_DIR}/cuda/mmn/kernels/resource_budgets.toml
                   -DCHECKER=$<TARGET_FILE:resource_check>
                   -DREPORT=${CMAKE_CURRENT_BINARY_DIR}/kernel_resource_report.txt
                   -P ${CMAKE_CURRENT_LIST_DIR}/run_resource_check.cmake)
  set_tests_properties(build_checks.kernel_resources PROPERTIES TIMEOUT 600 LABELS cuda)
endif()
