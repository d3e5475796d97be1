# Synthetic data generation (mmn synth): rows per second, generating and writing.
mmn_add_benchmark(synth_bench data/synth_bench.cpp)
