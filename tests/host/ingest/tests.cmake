# mmn ingest tests (included by tests/CMakeLists.txt).
mmn_add_test(ingest_tests
  host/ingest/ingest_schema_test.cpp
  host/ingest/csv_splitter_test.cpp
  host/ingest/decompressor_test.cpp
  host/ingest/input_files_test.cpp
  host/ingest/ingest_fixtures_test.cpp
  host/ingest/bad_rows_test.cpp
  host/ingest/ingester_test.cpp
)
target_link_libraries(ingest_tests PRIVATE PkgConfig::ZLIB PkgConfig::ZSTD)  # compressed test inputs
