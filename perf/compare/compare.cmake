# mmn-perf-compare: two result files in, a table of ratios and a verdict out.
# mmn-perf-masking-table: the auto-masking results as a markdown and CSV table.
add_library(mmn_perf_compare STATIC compare/result_file.cpp compare/comparison.cpp)
target_include_directories(mmn_perf_compare PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/compare)
target_link_libraries(mmn_perf_compare PUBLIC mmn_host nlohmann_json::nlohmann_json fmt::fmt)
mmn_set_warnings(mmn_perf_compare)

add_executable(mmn_perf_compare_tool compare/perf_compare.cpp)
set_target_properties(mmn_perf_compare_tool PROPERTIES OUTPUT_NAME mmn-perf-compare)
target_link_libraries(mmn_perf_compare_tool PRIVATE mmn_perf_compare CLI11::CLI11)
mmn_set_warnings(mmn_perf_compare_tool)

add_executable(mmn_perf_masking_table compare/masking_table.cpp)
set_target_properties(mmn_perf_masking_table PROPERTIES OUTPUT_NAME mmn-perf-masking-table)
target_link_libraries(mmn_perf_masking_table PRIVATE mmn_perf_compare CLI11::CLI11)
mmn_set_warnings(mmn_perf_masking_table)
