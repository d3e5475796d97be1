# Synthetic data generator (mmn synth).
mmn_add_test(synth_tests
  host/synth/sampler_test.cpp
  host/synth/domains_test.cpp
  host/synth/ground_truth_test.cpp
  host/synth/synthesize_test.cpp
  host/synth/synth_config_json_test.cpp
)
