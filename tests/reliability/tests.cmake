# Reliability: SIGKILL-and-resume (kill_test) and corrupt checkpoints and shards.
mmn_add_test(reliability_tests
  reliability/kill_test.cpp
  reliability/corruption_test.cpp
)
