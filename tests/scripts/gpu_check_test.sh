#!/usr/bin/env bash
# scripts/gpu-deps.sh, then scripts/gpu-check.sh as on a bare GPU machine but with no device:
# in a mount namespace where this machine's own copies of the gathered packages (headers, CMake
# and pkg-config files, libraries) are hidden, so a file that gpu-deps/ lacks fails the build
# here instead of on the GPU. The build is cut to the targets that reach every dependency
# (MMN_GPU_CHECK_TARGETS); the report must show configure, build and the CPU runs passed and
# every GPU step "skipped: no device".
#   tests/scripts/gpu_check_test.sh [WORK_DIR]   (default: a temporary folder, removed after)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-}"
if [ -z "$work" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
export MMN_GPU_DEPS_DIR="$work/gpu-deps" MMN_GPU_CHECK_BUILD_DIR="$work/build"
export MMN_GPU_CHECK_DEVICE=none MMN_GPU_CHECK_ROWS=100000
# Two cores here against sixteen there: more time for the build (about 2 minutes here).
export MMN_GPU_CHECK_SECONDS=900 MMN_GPU_CHECK_BUILD_SECONDS=600
# mmn (host library, CLI11, the nvcc-built backend), a GoogleTest binary and a benchmark
# binary (cuBLAS, Google Benchmark): every gathered package is compiled against and linked.
export MMN_GPU_CHECK_TARGETS="mmn cuda_backend_gpu_tests train_step_gpu_bench"
gpu_steps=(kernel_gpu_tests cuda_backend_gpu_tests memcheck "train tiny cuda" "train tiny cuda bf16"
  "train criteo-like cuda" gpu_kernel_bench grouped_gemm_bench train_step_gpu_bench)
real_steps=(configure build "synth tiny" "synth criteo-like" "train tiny cpu" "train criteo-like cpu")
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# The paths this machine's packages (those gpu-deps gathers) put where a build would look:
# a folder of its own under include/ or cmake/, else the file itself.
system_copies() {
  local package
  cut -d= -f1 "$MMN_GPU_DEPS_DIR/MANIFEST" | while IFS= read -r package; do
    dpkg -L "$package" 2>/dev/null || true
  done | awk '
    match($0, "^/usr/include/(x86_64-linux-gnu/)?[^/]+") { print substr($0, 1, RLENGTH); next }
    match($0, "^/usr/(lib/x86_64-linux-gnu|share)/cmake/[^/]+") { print substr($0, 1, RLENGTH); next }
    match($0, "^/usr/lib/x86_64-linux-gnu/openblas-pthread") { print substr($0, 1, RLENGTH); next }
    /^\/usr\/(lib\/x86_64-linux-gnu|share)\/pkgconfig\/.+\.pc$/ || /^\/usr\/lib\/x86_64-linux-gnu\/lib.*\.(so(\.[0-9.]+)?|a)$/ { print }
  ' | grep -v -x -e /usr/include/x86_64-linux-gnu | sort -u
}

# Runs gpu-check.sh; as root, in a mount namespace that hides the system copies first.
run_check() {
  local hidden="$work/hidden.txt"
  system_copies >"$hidden"
  if [ "$(id -u)" -eq 0 ] && unshare --mount --propagation private true 2>/dev/null; then
    echo "hiding $(wc -l <"$hidden") system paths of the gathered packages"
    # shellcheck disable=SC2016  # the script's variables are the inner shell's
    unshare --mount --propagation private bash -c '
      set -euo pipefail
      while IFS= read -r path; do
        # A link is left alone: mounting over it would hide its target, a library this
        # machine runs on (libz.so -> libz.so.1, which cmake itself loads).
        if [ -L "$path" ]; then continue
        elif [ -d "$path" ]; then mount -t tmpfs -o ro,size=4k none "$path"
        elif [ -e "$path" ]; then mount --bind /dev/null "$path"; fi
      done <"$1"
      test ! -e /usr/include/fmt/core.h
      shift
      exec bash "$@"' _ "$hidden" "$root/scripts/gpu-check.sh" "$work/out"
  else
    echo "WARNING: not root or no mount namespaces: the system copies stay visible (CMake's paths are still limited)"
    bash "$root/scripts/gpu-check.sh" "$work/out"
  fi
}

step_line() { grep -F "| $1 |" "$work/out/report.md" || true; }

check_report() {
  local report="$work/out/report.md" step line files
  [ -s "$report" ] || { fail "no report.md"; return; }
  for step in "${real_steps[@]}"; do
    line="$(step_line "$step")"
    [[ "$line" == "| $step | passed |"* ]] || fail "step '$step' did not pass: ${line:-missing}"
  done
  for step in "${gpu_steps[@]}"; do
    line="$(step_line "$step")"
    [[ "$line" == "| $step | skipped | 0 | no device |" ]] || fail "GPU step '$step' not skipped for no device: ${line:-missing}"
  done
  grep -q '^# GPU check: none' "$report" || fail "report heading does not say no GPU"
  grep -q '^| CTR AUC | 0\.[0-9]* | – |' "$report" || fail "no CPU AUC beside an empty GPU column"
  files="$(find "$work/out" -type f | wc -l)"
  [ "$files" -le 8 ] || fail "$files files in OUT_DIR (at most 8)"
}

# Without gpu-deps/ the check fails, and still writes a report that says why.
check_without_deps() {
  local rc=0 report="$work/no-deps/report.md"
  MMN_GPU_DEPS_DIR="$work/absent" bash "$root/scripts/gpu-check.sh" "$work/no-deps" >/dev/null 2>&1 || rc=$?
  [ "$rc" -ne 0 ] || fail "gpu-check.sh without gpu-deps/ exited 0"
  grep -q '^| configure | failed | 0 | no .*/absent/MANIFEST: run scripts/gpu-deps.sh' "$report" 2>/dev/null ||
    fail "no report of the missing gpu-deps/"
  grep -q '^| train tiny cpu | skipped | 0 | not built |' "$report" 2>/dev/null || fail "a step ran without a build"
}

main() {
  local t0 rc=0
  t0=$(date +%s)
  check_without_deps
  bash "$root/scripts/gpu-deps.sh"
  run_check || rc=$?
  [ "$rc" -eq 0 ] || fail "gpu-check.sh exited $rc"
  check_report
  head -n 40 "$work/out/report.md" 2>/dev/null || true
  echo "gpu_check_test: $(($(date +%s) - t0)) s, $failures failure(s)"
  [ "$failures" -eq 0 ]
}

main "$@"
