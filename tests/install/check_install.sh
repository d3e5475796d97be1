#!/usr/bin/env bash
# Installs the built mmn into a temporary prefix, then configures, builds and runs
# a separate project that uses find_package(mmn), and examples/predictor: a model
# trained with the installed `mmn`, scored through mmn::Predictor, must give what
# `mmn predict` gives.
set -euo pipefail
build="$1"
here="$(cd "$(dirname "$0")" && pwd)"
examples="$(cd "$here/../../examples" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$here/consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer" "$work/data"
test -x "$work/prefix/bin/mmn"

mmn="$work/prefix/bin/mmn"
cmake -S "$examples/predictor" -B "$work/example" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/example" >/dev/null
"$mmn" synth --preset tiny --rows 6000 --seed 2 --out "$work/synth" >/dev/null
"$mmn" train /dev/null --set data.train="$work/synth/train" --set run.dir="$work/run" --set train.max_steps=10 \
  --set model.embedding_dim=4 --set model.ctr_hidden=8 --set model.cvr_hidden=8 --set run.plots=false --quiet
"$mmn" predict "$work/run" --data "$work/synth/test" --out "$work/mmn_predict.csv" >/dev/null
"$work/example/predictor_example" "$work/run" "$work/synth/test" "$work/predictor.csv"
paste -d, "$work/mmn_predict.csv" "$work/predictor.csv" | awk -F, '
  NR == 1 { next }
  { for (k = 1; k <= 2; ++k) { d = $k - $(k + 2); if (d < 0) d = -d; if (d > 1e-6) bad++ } rows++ }
  END { if (rows == 0 || bad > 0) { printf "predictor_example: %d of %d rows differ from mmn predict\n", bad, rows; exit 1 }
        printf "predictor_example: %d rows as mmn predict\n", rows }'
