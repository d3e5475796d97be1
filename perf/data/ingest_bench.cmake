# mmn ingest benchmark: a 1M-row Criteo-style TSV (make_criteo_tsv.sh) into a data set.
mmn_add_benchmark(ingest_bench data/ingest_bench.cpp)
target_compile_definitions(ingest_bench PRIVATE MMN_PERF_DATA_DIR="${CMAKE_CURRENT_LIST_DIR}")
target_link_libraries(ingest_bench PRIVATE PkgConfig::ZLIB PkgConfig::ZSTD)  # the compressed copies of the input
