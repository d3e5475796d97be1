# The CPU backend's ops: routing, composed tower layers, masked form, loss, embedding, optimizers.
target_sources(mmn_host PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/blas.cpp
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
target_link_libraries(mmn_host PRIVATE PkgConfig::OPENBLAS)
