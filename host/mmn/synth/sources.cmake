# The synthetic data generator (mmn synth). Its arithmetic must give the same bytes
# on every compiler: no fused multiply-add contraction.
set(MMN_SYNTH_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/appender.cpp
  ${CMAKE_CURRENT_LIST_DIR}/discrete.cpp
  ${CMAKE_CURRENT_LIST_DIR}/domains.cpp
  ${CMAKE_CURRENT_LIST_DIR}/features.cpp
  ${CMAKE_CURRENT_LIST_DIR}/generator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ground_truth.cpp
  ${CMAKE_CURRENT_LIST_DIR}/report.cpp
  ${CMAKE_CURRENT_LIST_DIR}/staged_dir.cpp
  ${CMAKE_CURRENT_LIST_DIR}/synth_config.cpp
  ${CMAKE_CURRENT_LIST_DIR}/synth_config_json.cpp
  ${CMAKE_CURRENT_LIST_DIR}/synthesize.cpp
  ${CMAKE_CURRENT_LIST_DIR}/zipf.cpp
)
target_sources(mmn_host PRIVATE ${MMN_SYNTH_SOURCES})
set_source_files_properties(${MMN_SYNTH_SOURCES} PROPERTIES COMPILE_OPTIONS "-ffp-contract=off")
