# The model on the CPU backend: parameters, towers, the whole network, its optimizer.
target_sources(mmn_host PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/cpu_step.cpp
  ${CMAKE_CURRENT_LIST_DIR}/mmn_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/model_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/optimizer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/parameter_store.cpp
  ${CMAKE_CURRENT_LIST_DIR}/rare_ids.cpp
  ${CMAKE_CURRENT_LIST_DIR}/tower.cpp
)
