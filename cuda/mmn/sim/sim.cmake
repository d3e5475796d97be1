# mmn_sim: the SIMT emulator that runs mmn's CUDA kernels on the CPU (always built, with the
# host compiler). Kernels include "mmn/device/kernel_api.h"; link mmn_sim to run them.
if(NOT MMN_EMULATOR)
  return()
endif()
find_package(Boost 1.74 REQUIRED COMPONENTS context)

add_library(mmn_sim STATIC
  ${CMAKE_CURRENT_LIST_DIR}/engine.cpp
  ${CMAKE_CURRENT_LIST_DIR}/engine_report.cpp
  ${CMAKE_CURRENT_LIST_DIR}/engine_sync.cpp
  ${CMAKE_CURRENT_LIST_DIR}/fiber_stacks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/launch.cpp
  ${CMAKE_CURRENT_LIST_DIR}/messages.cpp
  ${CMAKE_CURRENT_LIST_DIR}/overflow_report.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schedule.cpp
  ${CMAKE_CURRENT_LIST_DIR}/shared_memory.cpp
  ${CMAKE_CURRENT_LIST_DIR}/warp_collective.cpp
)
target_include_directories(mmn_sim PUBLIC ${CMAKE_CURRENT_LIST_DIR}/../..)
target_link_libraries(mmn_sim PUBLIC Boost::context Threads::Threads)
# Kernels say `#pragma unroll`, which g++ does not know.
target_compile_options(mmn_sim INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Wno-unknown-pragmas>)
mmn_set_warnings(mmn_sim)
