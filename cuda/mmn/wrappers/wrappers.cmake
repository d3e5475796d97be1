# Thin wrappers over CUB and cuBLAS (headers, included by cuda/CMakeLists.txt). Link
# mmn_wrappers_sim where they compile with the host compiler (emulator: std:: algorithms and
# mmn::blas), mmn_wrappers_cuda where nvcc compiles them (CUB, cuBLAS).
if(MMN_EMULATOR)
  add_library(mmn_wrappers_sim INTERFACE)
  target_include_directories(mmn_wrappers_sim INTERFACE ${CMAKE_CURRENT_LIST_DIR}/../..)
  target_link_libraries(mmn_wrappers_sim INTERFACE mmn_sim mmn_host)
endif()

if(MMN_CUDA_ENABLED)
  add_library(mmn_wrappers_cuda INTERFACE)
  target_include_directories(mmn_wrappers_cuda INTERFACE ${CMAKE_CURRENT_LIST_DIR}/../..)
  target_link_libraries(mmn_wrappers_cuda INTERFACE CUDA::cudart CUDA::cublas)
endif()
