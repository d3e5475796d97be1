# Communication between the processes of a training job: MPI when found (MMN_MPI AUTO / ON / OFF).
target_sources(mmn_host PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/communicator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/gradient_exchange.cpp
)
set(MMN_MPI "AUTO" CACHE STRING "Data parallelism over MPI: AUTO (when found), ON or OFF")
set(MMN_MPI_ENABLED OFF CACHE INTERNAL "MPI found and used")
if(NOT MMN_MPI STREQUAL "OFF")
  find_package(MPI COMPONENTS CXX)
  if(MPI_CXX_FOUND)
    set(MMN_MPI_ENABLED ON CACHE INTERNAL "MPI found and used")
    target_sources(mmn_host PRIVATE ${CMAKE_CURRENT_LIST_DIR}/mpi_communicator.cpp)
    target_link_libraries(mmn_host PUBLIC MPI::MPI_CXX)
    target_compile_definitions(mmn_host PRIVATE MMN_HAVE_MPI=1)
  elseif(MMN_MPI STREQUAL "ON")
    message(FATAL_ERROR "MMN_MPI=ON but MPI was not found; install libopenmpi-dev or use MMN_MPI=OFF")
  endif()
endif()
message(STATUS "mmn: MPI data parallelism ${MMN_MPI_ENABLED} (MMN_MPI=${MMN_MPI})")
