#!/usr/bin/env bash
# Runs every benchmark binary of a build (build/perf/*_bench) with JSON output into
# one folder, then, with --baseline, compares each result with the baseline's file of
# the same name (mmn-perf-compare; exit status 1 on a regression).
#
#   scripts/bench.sh [--smoke] --out DIR [--baseline DIR] [--repetitions N]
#                    [--filter REGEX] [--build-dir DIR] [--threshold X]
#
# Exit status: 0 done, 1 a regression against the baseline, 2 bad arguments or a
# result the comparison could not read, 3 a benchmark binary failed.
# --smoke: a token amount of work per benchmark (MMN_PERF_SMOKE=1): checks the chain
# in seconds, the figures mean nothing. Files written to DIR: <bench>.json (Google
# Benchmark's JSON with the run context), <bench>.log (its console output), and from
# auto_masking_bench: auto_masking.md, auto_masking.csv and, with gnuplot, auto_masking.png.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MMN_BUILD_DIR:-$root/build}"
out="" baseline="" smoke=0 repetitions="" filter="" threshold=0.05

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=1 ;;
    --out) out="$2"; shift ;;
    --baseline) baseline="$2"; shift ;;
    --repetitions) repetitions="$2"; shift ;;
    --filter) filter="$2"; shift ;;
    --build-dir) build="$2"; shift ;;
    --threshold) threshold="$2"; shift ;;
    -h|--help) usage 0 ;;
    *) echo "bench.sh: unknown argument '$1'" >&2; usage 2 ;;
  esac
  shift
done
[ -n "$out" ] || { echo "bench.sh: --out DIR is required" >&2; exit 2; }
[ -z "$baseline" ] || [ -d "$baseline" ] || { echo "bench.sh: baseline folder '$baseline' does not exist" >&2; exit 2; }
[ -d "$build/perf" ] || { echo "bench.sh: no perf/ in the build folder '$build' (build with MMN_BUILD_PERF=ON)" >&2; exit 2; }
mkdir -p "$out"
if [ -z "$repetitions" ]; then repetitions=$([ "$smoke" = 1 ] && echo 1 || echo 3); fi

export MMN_PERF_SMOKE="$smoke"
if [ -z "${MMN_GIT_COMMIT:-}" ] && commit="$(git -C "$root" rev-parse HEAD 2>/dev/null)"; then
  [ -z "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ] || commit="$commit-dirty"
  export MMN_GIT_COMMIT="$commit"
fi

benches=()
for bin in "$build"/perf/*_bench; do [ -x "$bin" ] && benches+=("$bin"); done
[ ${#benches[@]} -gt 0 ] || { echo "bench.sh: no benchmark binaries in $build/perf" >&2; exit 2; }

failed=0
for bin in "${benches[@]}"; do
  name="$(basename "$bin")"
  args=(--benchmark_out="$out/$name.json" --benchmark_out_format=json --benchmark_repetitions="$repetitions")
  [ -z "$filter" ] || args+=(--benchmark_filter="$filter")
  start=$SECONDS
  if "$bin" "${args[@]}" >"$out/$name.log" 2>&1; then
    if [ ! -s "$out/$name.json" ]; then  # the filter matched none of its benchmarks
      rm -f "$out/$name.json" "$out/$name.log"
      continue
    fi
    echo "bench.sh: $name done in $((SECONDS - start)) s -> $out/$name.json"
  else
    echo "bench.sh: $name FAILED (see $out/$name.log)" >&2
    tail -5 "$out/$name.log" >&2
    failed=3
  fi
done

if [ -s "$out/auto_masking_bench.json" ]; then
  "$build/perf/mmn-perf-masking-table" "$out/auto_masking_bench.json" --markdown "$out/auto_masking.md" \
    --csv "$out/auto_masking.csv"
  if command -v gnuplot >/dev/null; then
    batches="$(tail -n +2 "$out/auto_masking.csv" | cut -d, -f2 | sort -nu | tr '\n' ' ')"
    gnuplot -e "csv='$out/auto_masking.csv'; png='$out/auto_masking.png'; batches='$batches'" \
      "$root/perf/ops/auto_masking_plot.gp" || echo "bench.sh: gnuplot failed: no auto_masking.png" >&2
  else
    echo "bench.sh: gnuplot not found: no auto_masking.png (the table is in auto_masking.md)"
  fi
fi

if [ -n "$baseline" ]; then
  for result in "$out"/*_bench.json; do
    [ -e "$result" ] || continue
    name="$(basename "$result")"
    if [ ! -f "$baseline/$name" ]; then
      echo "bench.sh: no $name in the baseline $baseline: not compared"
      continue
    fi
    echo "== $name against $baseline/$name"
    status=0
    # with a filter, the baseline's other benchmarks are expected to be absent
    "$build/perf/mmn-perf-compare" "$baseline/$name" "$result" --threshold "$threshold" \
      ${filter:+--allow-missing} || status=$?
    [ $status -le $failed ] || failed=$status
  done
fi
exit $failed
