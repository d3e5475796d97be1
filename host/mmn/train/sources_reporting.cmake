# Training configuration, run directory, reports, plots and progress output.
target_sources(mmn_host PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/config_keys.cpp
  ${CMAKE_CURRENT_LIST_DIR}/config_value.cpp
  ${CMAKE_CURRENT_LIST_DIR}/train_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_directory.cpp
  ${CMAKE_CURRENT_LIST_DIR}/report_table.cpp
  ${CMAKE_CURRENT_LIST_DIR}/plots.cpp
  ${CMAKE_CURRENT_LIST_DIR}/progress.cpp
)
