#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan + UBSan) in their own build
# directory and runs each for MMN_FUZZ_SECONDS (default 60) on its committed seed corpus;
# any crash, sanitizer report, leak or timeout fails. New inputs go to a scratch corpus,
# so the committed one does not change. Prints executions per target.
#   MMN_FUZZ_BUILD_DIR   build directory (default build-fuzz)
#   MMN_FUZZ_TARGETS     space-separated subset of the targets
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MMN_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${MMN_FUZZ_SECONDS:-60}"
targets=(${MMN_FUZZ_TARGETS:-fuzz_csv_ingest fuzz_ingest_schema fuzz_train_config fuzz_shard_reader fuzz_checkpoint_reader})

start=$SECONDS
# -O1 with line tables only: what libFuzzer suggests, and the quickest build that still
# gives sanitizer reports with file and line.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -gline-tables-only" -DMMN_WERROR=ON \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link -Wno-unknown-warning-option" \
  -DMMN_SANITIZE=address,undefined -DMMN_FUZZ=ON -DMMN_CUDA=OFF -DMMN_ONNX=OFF -DMMN_BUILD_PERF=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"
echo "fuzz: build took $((SECONDS - start)) s"

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
failed=()
for t in "${targets[@]}"; do
  seeds="$root/tests/fuzz/corpus/${t#fuzz_}"
  mkdir -p "$scratch/$t"
  log="$scratch/$t.log"
  echo "== $t: ${seconds} s from $(ls "$seeds" | wc -l) seeds"
  if (cd "$scratch" && "$build/tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=16384 -print_final_stats=1 "$scratch/$t" "$seeds") >"$log" 2>&1; then
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    echo "$t: ok, $runs executions, corpus $(ls "$scratch/$t" | wc -l) new inputs"
  else
    failed+=("$t")
    echo "$t: FAILED"; tail -n 60 "$log"
    for crash in "$scratch"/crash-* "$scratch"/leak-* "$scratch"/timeout-* "$scratch"/oom-*; do
      [ -e "$crash" ] && { echo "input $crash (base64):"; base64 "$crash" | head -c 4000; echo; }
    done
  fi
done
echo "fuzz: total $((SECONDS - start)) s"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: failing targets: ${failed[*]}" >&2
  exit 1
fi
