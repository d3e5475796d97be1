#!/usr/bin/env bash
# The main job on the embedded default: set up, build, generate the criteo-like
# synthetic data set (17 types x 21 scenarios, 5 held-out combinations for the
# zero-shot test), and inspect it: summary, checksums and the oracle's figures.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MMN_BUILD_DIR:-$root/build}"
out="${MMN_RUN_DIR:-$root/runs/criteo-like}"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" --target mmn
mkdir -p "$out"
"$build/trainer/mmn" synth --preset criteo-like --holdout 5 --seed 1 --out "$out/data" --overwrite
"$build/trainer/mmn" data inspect "$out/data/train"
