# The CPU backend's ops: routing, composed tower layers, masked form, loss, embedding, optimizers.
target_sources(mmn_host PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/blas.cpp
  ${CMAKE_CURRENT_LIST_DIR}/blas_core.cpp
  ${CMAKE_CURRENT_LIST_DIR}/composed_layer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/embedding.cpp
  ${CMAKE_CURRENT_LIST_DIR}/factorised_sum_layer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/masked_tower.cpp
  ${CMAKE_CURRENT_LIST_DIR}/optimizers.cpp
  ${CMAKE_CURRENT_LIST_DIR}/product_layer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/product_microkernels.cpp
  ${CMAKE_CURRENT_LIST_DIR}/routing.cpp
  ${CMAKE_CURRENT_LIST_DIR}/type_grouped_fold.cpp
  ${CMAKE_CURRENT_LIST_DIR}/weighted_bce.cpp
)
# OpenBLAS is not linked: blas.cpp loads it at run time, after choosing the kernels
# that fit the CPU (OpenBLAS picks them once, while it is loaded): first the library
# pkg-config found, then libopenblas.so.0 on the search path.
foreach(_lib IN LISTS OPENBLAS_LINK_LIBRARIES)
  if(_lib MATCHES "\\.so$" AND NOT _mmn_openblas_library)
    set(_mmn_openblas_library "${_lib}")
  endif()
endforeach()
if(NOT _mmn_openblas_library)
  message(FATAL_ERROR "OpenBLAS: pkg-config found no shared library (${OPENBLAS_LINK_LIBRARIES})")
endif()
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/blas.cpp PROPERTIES
  COMPILE_DEFINITIONS "MMN_OPENBLAS_LIBRARY=\"${_mmn_openblas_library}\"")
target_include_directories(mmn_host SYSTEM PRIVATE ${OPENBLAS_INCLUDE_DIRS})
target_link_libraries(mmn_host PRIVATE ${CMAKE_DL_LIBS})
