mmn_add_test(train_tests
  host/train/batch_loader_test.cpp
  host/train/checkpoint_test.cpp
  host/train/trainer_test.cpp
)
