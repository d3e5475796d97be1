#!/usr/bin/env bash
# A trained run served two ways on the same rows: `mmn predict` (mmn's CPU forward)
# and its `mmn export` ONNX model in ONNX Runtime (tests/tools/onnx_check.py, which
# also checks they agree). Prints the ONNX file's size and both rows/s.
#   perf/serve/onnx_vs_predict.sh RUN_DIR DATASET OUT_DIR [ORT_BATCH] [ORT_ROWS]
# ORT_ROWS: ONNX Runtime scores (and checks) only the first that many rows.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
run="$1" data="$2" out="$3" batch="${4:-1024}" ort_rows="${5:-0}"
mmn="${MMN_BINARY:-$root/build/trainer/mmn}"
python="$(bash "$root/scripts/python-test-env.sh" | tail -n 1)"
mkdir -p "$out"
"$mmn" export "$run" --format onnx --out "$out/model.onnx"
"$mmn" data dump "$data" --out "$out/inputs.csv" >/dev/null
rows=$(($(wc -l < "$out/inputs.csv") - 1))
start=$(date +%s.%N)
"$mmn" predict "$run" --data "$data" --out "$out/predict.csv" >/dev/null
end=$(date +%s.%N)
awk -v rows="$rows" -v s="$start" -v e="$end" \
  'BEGIN { printf "mmn predict: %d rows in %.2f s: %.0f rows/s (loading included)\n", rows, e - s, rows / (e - s) }'
if [ "$ort_rows" -gt 0 ]; then
  head -n $((ort_rows + 1)) "$out/inputs.csv" > "$out/inputs_head.csv" && mv "$out/inputs_head.csv" "$out/inputs.csv"
  head -n $((ort_rows + 1)) "$out/predict.csv" > "$out/predict_head.csv" && mv "$out/predict_head.csv" "$out/predict.csv"
fi
"$python" "$root/tests/tools/onnx_check.py" "$out/model.onnx" "$out/inputs.csv" "$out/predict.csv" --batch "$batch"
