# Training configuration, run directory, report table, plots and progress output.
mmn_add_test(train_reporting_tests
  host/train/train_config_errors_test.cpp
  host/train/train_config_test.cpp
  host/train/run_directory_test.cpp
  host/train/report_table_test.cpp
  host/train/plots_test.cpp
  host/train/progress_test.cpp
)
