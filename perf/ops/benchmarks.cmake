# One suite per CPU op of host/mmn/ops, and the cost of auto-masking.
mmn_add_benchmark(routing_bench ops/routing_bench.cpp)
mmn_add_benchmark(composed_layer_bench ops/composed_layer_bench.cpp)
mmn_add_benchmark(factorised_sum_layer_bench ops/factorised_sum_layer_bench.cpp)
mmn_add_benchmark(masked_tower_bench ops/masked_tower_bench.cpp)
mmn_add_benchmark(weighted_bce_bench ops/weighted_bce_bench.cpp)
mmn_add_benchmark(embedding_bench ops/embedding_bench.cpp)
mmn_add_benchmark(optimizers_bench ops/optimizers_bench.cpp)
mmn_add_benchmark(auto_masking_bench ops/auto_masking_bench.cpp)
