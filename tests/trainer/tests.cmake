mmn_add_test(trainer_command_tests
  trainer/predict_command_test.cpp
)
