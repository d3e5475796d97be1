# The CUDA training backend, built twice from the same sources:
#   mmn_backend_emulated: the device model compiled by the host compiler against the SIMT
#     emulator (always; the tests run the whole CUDA training step with it);
#   mmn_backend_cuda: the device model compiled by nvcc (CUDA builds; the mmn program links it).
# Both define mmn::register_cuda_backend: a program links one of them.
set(_mmn_backend_dir ${CMAKE_CURRENT_LIST_DIR})

if(MMN_EMULATOR)
  add_library(mmn_backend_emulated STATIC
    ${_mmn_backend_dir}/cuda_backend.cpp
    ${_mmn_backend_dir}/batch_staging.cpp
    ${_mmn_backend_dir}/device_model.cpp
    ${_mmn_backend_dir}/device_model_exchange.cpp
    ${_mmn_backend_dir}/device_model_step.cpp
  )
  target_include_directories(mmn_backend_emulated PUBLIC ${_mmn_backend_dir}/../..)
  target_link_libraries(mmn_backend_emulated PUBLIC mmn_host mmn_sim)
  mmn_set_warnings(mmn_backend_emulated)
endif()

if(MMN_CUDA_ENABLED)
  # The device model's sources keep LANGUAGE CXX for the emulated build; nvcc compiles each
  # through a generated .cu that includes it (every file that sees the CUDA runtime types).
  set(_mmn_device_model_cus)
  foreach(_source batch_staging device_model device_model_exchange device_model_step)
    set(_cu ${CMAKE_CURRENT_BINARY_DIR}/generated/${_source}.cu)
    file(CONFIGURE OUTPUT ${_cu}
         CONTENT "// Generated: compiles ${_source}.cpp with nvcc.\n#include \"${_mmn_backend_dir}/${_source}.cpp\"\n")
    list(APPEND _mmn_device_model_cus ${_cu})
  endforeach()
  add_library(mmn_backend_cuda STATIC
    ${_mmn_backend_dir}/cuda_backend.cpp
    ${_mmn_device_model_cus}
  )
  target_include_directories(mmn_backend_cuda PUBLIC ${_mmn_backend_dir}/../..)
  target_link_libraries(mmn_backend_cuda PUBLIC mmn_host CUDA::cudart)
  target_compile_definitions(mmn_backend_cuda PUBLIC MMN_HAVE_CUDA_BACKEND=1)
  mmn_set_warnings(mmn_backend_cuda)

  # NCCL (with the CUDA toolkit here): dense gradients all-reduced on the GPUs.
  find_path(MMN_NCCL_INCLUDE_DIR nccl.h HINTS ${CUDAToolkit_INCLUDE_DIRS})
  find_library(MMN_NCCL_LIBRARY nccl HINTS ${CUDAToolkit_LIBRARY_DIR})
  if(MMN_NCCL_INCLUDE_DIR AND MMN_NCCL_LIBRARY)
    message(STATUS "mmn: NCCL found (${MMN_NCCL_LIBRARY}): multi-GPU gradients over NCCL")
    target_sources(mmn_backend_cuda PRIVATE ${_mmn_backend_dir}/nccl_reducer.cpp)
    target_include_directories(mmn_backend_cuda PRIVATE ${MMN_NCCL_INCLUDE_DIR})
    target_link_libraries(mmn_backend_cuda PRIVATE ${MMN_NCCL_LIBRARY})
    target_compile_definitions(mmn_backend_cuda PRIVATE MMN_HAVE_NCCL=1)
  else()
    message(STATUS "mmn: NCCL not found: multi-GPU gradients go through host memory and MPI")
  endif()
endif()
