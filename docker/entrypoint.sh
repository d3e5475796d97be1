#!/usr/bin/env bash
# The images' entrypoint: the benchmark suite (scripts/bench.sh) with its JSON results
# written into /results (mount a host folder there). Arguments go to bench.sh, e.g.
# `--smoke`, `--filter REGEX`, `--repetitions N`, `--baseline /results/baseline`.
# Under mpirun each rank uses the GPU of its local rank and writes /results/rank<N>.
set -euo pipefail
out="${MMN_RESULTS_DIR:-/results}"
rank="${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-}}"
if [ -n "$rank" ]; then
  out="$out/rank$rank"
  local_rank="${OMPI_COMM_WORLD_LOCAL_RANK:-${MPI_LOCALRANKID:-0}}"
  export CUDA_VISIBLE_DEVICES="${CUDA_VISIBLE_DEVICES:-$local_rank}"
fi
mkdir -p "$out"
exec bash /opt/mmn/scripts/bench.sh --out "$out" "$@"
