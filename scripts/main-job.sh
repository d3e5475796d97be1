#!/usr/bin/env bash
# The main job on the embedded default, on the CPU: set up, build, generate the
# criteo-like synthetic data (17 types x 21 scenarios, 10 held-out combinations for the
# zero-shot test), train MMN and the `shared` baseline, and compare them with the
# oracle (the true probabilities) on the test split and on the held-out combinations.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MMN_BUILD_DIR:-$root/build}"
out="${MMN_RUN_DIR:-$root/runs/criteo-like}"
rows="${MMN_ROWS:-6000000}"
mmn="$build/trainer/mmn"

bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh" --target mmn
mkdir -p "$out"
"$mmn" synth --preset criteo-like --rows "$rows" --holdout 10 --seed 1 --out "$out/data" --overwrite
for model in mmn shared; do
  "$mmn" train "$root/configs/criteo-like.toml" --overwrite \
    --set data.train="$out/data/train" --set data.test="$out/data/test" --set data.heldout="$out/data/heldout" \
    --set model.kind="$model" --set run.dir="$out/$model"
done
echo
"$mmn" eval "$out/mmn" "$out/shared" --data "$out/data/test" --title "test split: MMN and shared against the oracle"
"$mmn" eval "$out/mmn" "$out/shared" --data "$out/data/heldout" --title "held-out combinations (zero-shot)"
echo "per-domain reports: $out/mmn/test_domains.csv, $out/shared/test_domains.csv; plots: $out/mmn/*.png"
