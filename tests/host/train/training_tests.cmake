mmn_add_test(train_tests
  host/train/batch_loader_test.cpp
  host/train/checkpoint_test.cpp
  host/train/trainer_test.cpp
)
mmn_add_test(train_end_to_end_tests
  host/train/mmn_beats_shared_test.cpp
)
