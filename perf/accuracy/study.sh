#!/usr/bin/env bash
# The accuracy study: trains each setting of STUDY_SETTINGS below on one criteo-like synthetic
# data set (true probabilities known) over several seeds, and writes OUT_DIR/results.json and
# OUT_DIR/results.md (perf/accuracy/summarize.py): test and zero-shot figures, each setting's
# mean and range over its seeds, next to the oracle's.
#   perf/accuracy/study.sh OUT_DIR   (MMN_STUDY_ROWS rows, default 3000000; MMN_STUDY_PRESET,
#                                     default criteo-like; MMN_STUDY_HOLDOUT pairs, default 10)
# Settings are "name|seeds|--set overrides" lines; each names its loss mode, so a change of
# default does not change what a row means (earlier results folders list their own settings).
# MMN_STUDY_SYNTH_ARGS adds arguments to the data's `mmn synth` (for example --set overrides of the
# preset) and MMN_STUDY_DATA_SEED sets its seed (default 1). MMN_STUDY_ONLY=regex runs a subset.
# MMN_STUDY_BINARY names another trainer (for example build/trainer/mmn-emulated-cuda, whose
# --set train.device=cuda runs the CUDA backend on the SIMT emulator). A run whose directory
# holds a summary.json is not run again (MMN_STUDY_RERUN=1 reruns it).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${MMN_BUILD_DIR:-$root/build}"
mmn="${MMN_STUDY_BINARY:-$build/trainer/mmn}"
out="${1:?usage: study.sh OUT_DIR}"
rows="${MMN_STUDY_ROWS:-3000000}"
preset="${MMN_STUDY_PRESET:-criteo-like}"
holdout="${MMN_STUDY_HOLDOUT:-10}"
config="${MMN_STUDY_CONFIG:-$root/configs/$preset.toml}"
mkdir -p "$out"
data="$out/data"

STUDY_SETTINGS="${MMN_STUDY_SETTINGS:-$(cat <<'LIST'
mmn, ctcvr loss (former default)|1 2 3|--set loss.cvr_mode=ctcvr
mmn, clicked loss (new default)|1 2 3|--set loss.cvr_mode=clicked
mmn, clicked loss, lr 3e-3|1|--set loss.cvr_mode=clicked --set optimizer.lr=3e-3
mmn, clicked loss, batch 2048|1|--set loss.cvr_mode=clicked --set train.batch_size=2048
mmn, ctcvr loss, lr 3e-3|1|--set loss.cvr_mode=ctcvr --set optimizer.lr=3e-3
mmn, clicked loss, 3 epochs, validation 5%, patience 2|1|--set loss.cvr_mode=clicked --set train.epochs=3 --set train.validation_fraction=0.05 --set train.early_stopping_patience=2 --set train.validate_every=250
shared, clicked loss|1 2 3|--set model.kind=shared --set loss.cvr_mode=clicked
star, clicked loss|1 2 3|--set model.kind=star --set loss.cvr_mode=clicked
shared, ctcvr loss|1|--set model.kind=shared --set loss.cvr_mode=ctcvr
LIST
)}"

if [ ! -d "$data/train" ]; then
  read -r -a synth_args <<< "${MMN_STUDY_SYNTH_ARGS:-}"  # split on blanks, no globbing
  "$build/trainer/mmn" synth --preset "$preset" --rows "$rows" --holdout "$holdout" --seed "${MMN_STUDY_DATA_SEED:-1}" \
    --out "$data" --overwrite "${synth_args[@]}" > "$out/synth.txt"
fi
: > "$out/runs.txt"
mkdir -p "$out/runs"
while IFS='|' read -r name seeds overrides; do
  [ -z "$name" ] && continue
  if [ -n "${MMN_STUDY_ONLY:-}" ] && ! [[ "$name" =~ $MMN_STUDY_ONLY ]]; then continue; fi
  for seed in $seeds; do
    dir="$out/runs/$(echo "$name" | tr -c 'a-zA-Z0-9.\n-' '_')-seed$seed"
    if [ -f "$dir/summary.json" ] && [ -z "${MMN_STUDY_RERUN:-}" ]; then  # done in an earlier call
      printf '%s|%s|%s\n' "$name" "$seed" "$dir" >> "$out/runs.txt"
      continue
    fi
    echo "== $name, seed $seed"
    # shellcheck disable=SC2086
    "$mmn" train "$config" --overwrite --set data.train="$data/train" --set data.test="$data/test" \
      --set data.heldout="$data/heldout" --set train.seed="$seed" --set run.dir="$dir" --set run.plots=false \
      $overrides > "$dir.log" 2>&1 || { echo "failed: see $dir.log"; exit 1; }
    printf '%s|%s|%s\n' "$name" "$seed" "$dir" >> "$out/runs.txt"
  done
done <<< "$STUDY_SETTINGS"
python3 "$root/perf/accuracy/summarize.py" "$out"
