#!/usr/bin/env bash
# scripts/docker-check.sh --check-results on hand-made results folders: a good one
# passes and prints its context; each kind of bad one fails (status 1) with a message
# naming the file and what is wrong. Skips (77) without python3, which the check needs.
set -uo pipefail
script="$1"
command -v python3 >/dev/null || { echo "SKIP: python3 not found (docker-check.sh reads the JSON with it)"; exit 77; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
failures=0

good_json() {  # file [context key to leave out] [error]
  local skip="${2:-}" error="${3:-false}" ctx="" k
  for k in mmn_git_commit:abc123 mmn_cpu_model:TestCPU mmn_threads:2 mmn_build_type:Release mmn_smoke:1 \
           mmn_blas_library:/usr/lib/libopenblas.so.0 mmn_blas_core:Haswell; do
    [ "${k%%:*}" = "$skip" ] || ctx+="\"${k%%:*}\": \"${k#*:}\", "
  done
  cat >"$1" <<JSON
{"context": {${ctx%, }},
 "benchmarks": [{"name": "BM_x/64", "real_time": 12.5, "time_unit": "us", "items_per_second": 1e6,
                 "error_occurred": $error}]}
JSON
  touch "${1%.json}.log"
}

expect() {  # name status pattern -- args...
  local name="$1" want="$2" pattern="$3"; shift 4
  local out status
  out="$(bash "$script" "$@" 2>&1)"; status=$?
  if [ "$status" != "$want" ] || ! grep -q -- "$pattern" <<<"$out"; then
    echo "FAIL $name: status $status (want $want), output lacks '$pattern':"; sed 's/^/    /' <<<"$out"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

mkdir "$work/good" && good_json "$work/good/a_bench.json"
expect good 0 "mmn_blas_core: Haswell" -- --check-results "$work/good"
expect good_commit 0 "1 benchmark files" -- --check-results "$work/good" --expect-commit abc123 --expect-benches a_bench
expect wrong_commit 1 "mmn_git_commit is 'abc123', expected 'def456'" -- --check-results "$work/good" --expect-commit def456
expect missing_bench 1 "b_bench.json missing" -- --check-results "$work/good" --expect-benches a_bench,b_bench
expect no_folder 1 "does not exist" -- --check-results "$work/none"
mkdir "$work/empty"
expect empty_folder 1 "no <bench>.json" -- --check-results "$work/empty"
mkdir "$work/nokey" && good_json "$work/nokey/a_bench.json" mmn_blas_core
expect missing_key 1 "a_bench.json: context has no mmn_blas_core" -- --check-results "$work/nokey"
mkdir "$work/cut" && good_json "$work/cut/a_bench.json" && truncate -s 40 "$work/cut/a_bench.json"
expect truncated 1 "a_bench.json does not parse" -- --check-results "$work/cut"
mkdir "$work/err" && good_json "$work/err/a_bench.json" "" true
expect bench_error 1 "1 benchmarks report an error" -- --check-results "$work/err"
mkdir "$work/nolog" && good_json "$work/nolog/a_bench.json" && rm "$work/nolog/a_bench.log"
expect missing_log 1 "a_bench.log missing" -- --check-results "$work/nolog"
expect bad_argument 2 "unknown argument '--frobnicate'" -- --frobnicate

[ $failures -eq 0 ] || { echo "$failures case(s) failed"; exit 1; }
echo "all cases passed"
