#!/usr/bin/env bash
# The figures behind the end-to-end accuracy tests' bounds (tests/host/train/mmn_beats_shared_test.cpp
# and Trainer.TinyPresetComesWithinAStatedGapOfTheOracle), measured with the defaults of
# configs/tiny.toml over data seeds 1-5, the way the tests train (one epoch, no held-out pairs):
#   MMN - shared and oracle - MMN mean per-domain CVR AUC on 5M rows,
#   oracle - MMN CVR AUC and mean per-domain CVR AUC on 1M rows.
#   perf/accuracy/tiny_margins.sh OUT_DIR [extra --set overrides for every run]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
mmn="${MMN_BUILD_DIR:-$root/build}/trainer/mmn"
out="${1:?usage: tiny_margins.sh OUT_DIR [--set key=value ...]}"
shift
mkdir -p "$out"
train() {  # data_dir run_dir kind [overrides]
  local data="$1" dir="$2" kind="$3"
  shift 3
  [ -f "$dir/summary.json" ] && return 0
  "$mmn" train "$root/configs/tiny.toml" --overwrite --set data.train="$data/train" --set data.test="$data/test" \
    --set data.heldout= --set model.kind="$kind" --set train.epochs=1 --set run.dir="$dir" --set run.plots=false \
    "$@" > "$dir.log" 2>&1 || { echo "failed: see $dir.log" >&2; exit 1; }
}
for seed in ${MMN_MARGIN_SEEDS:-1 2 3 4 5}; do
  for rows in 5000000 1000000; do
    data="$out/data-$rows-seed$seed"
    [ -d "$data/train" ] || "$mmn" synth --preset tiny --rows "$rows" --seed "$seed" --out "$data" --overwrite > /dev/null
  done
  echo "== seed $seed"
  train "$out/data-5000000-seed$seed" "$out/mmn-5m-seed$seed" mmn "$@"
  train "$out/data-5000000-seed$seed" "$out/shared-5m-seed$seed" shared "$@"
  train "$out/data-1000000-seed$seed" "$out/mmn-1m-seed$seed" mmn "$@"
  rm -rf "$out/data-5000000-seed$seed" "$out/data-1000000-seed$seed"
done
python3 - "$out" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
def test(d):
    return json.load(open(os.path.join(out, d, "summary.json")))["test"]
rows = ["| seed | MMN - shared, per-domain (5M) | oracle - MMN, per-domain (5M) | oracle - MMN, CVR AUC (1M) | oracle - MMN, per-domain (1M) |",
        "|---:|---:|---:|---:|---:|"]
for path in sorted(glob.glob(os.path.join(out, "mmn-5m-seed*/summary.json"))):
    seed = path.split("seed")[-1].split("/")[0]
    m, s, small = test(f"mmn-5m-seed{seed}"), test(f"shared-5m-seed{seed}"), test(f"mmn-1m-seed{seed}")
    rows.append(f"| {seed} | {m['domain_cvr_auc_mean'] - s['domain_cvr_auc_mean']:+.4f} "
                f"| {m['oracle']['domain_cvr_auc_mean'] - m['domain_cvr_auc_mean']:.4f} "
                f"| {small['oracle']['cvr_auc'] - small['cvr_auc']:.4f} "
                f"| {small['oracle']['domain_cvr_auc_mean'] - small['domain_cvr_auc_mean']:.4f} |")
text = "\n".join(rows) + "\n"
open(os.path.join(out, "margins.md"), "w").write(text)
print(text, end="")
PY
