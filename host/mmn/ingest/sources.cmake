# mmn ingest: CSV/TSV into data sets (included by host/CMakeLists.txt).
target_sources(mmn_host PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/chunk_parser.cpp
  ${CMAKE_CURRENT_LIST_DIR}/column_dictionaries.cpp
  ${CMAKE_CURRENT_LIST_DIR}/csv_splitter.cpp
  ${CMAKE_CURRENT_LIST_DIR}/decompressor.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ingest_schema.cpp
  ${CMAKE_CURRENT_LIST_DIR}/ingester.cpp
  ${CMAKE_CURRENT_LIST_DIR}/input_files.cpp
  ${CMAKE_CURRENT_LIST_DIR}/sequencer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/value_parsers.cpp
)
target_link_libraries(mmn_host PRIVATE PkgConfig::ZLIB PkgConfig::ZSTD)
