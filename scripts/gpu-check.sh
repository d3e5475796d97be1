#!/usr/bin/env bash
# The GPU check, in one call: scripts/gpu-check.sh OUT_DIR
#
# On a machine with the CUDA toolkit, CMake, g++ and Python, and gpu-deps/ (scripts/gpu-deps.sh)
# beside it: configures a build for the GPU it finds, whose find paths are limited to gpu-deps/
# and the toolkit, builds the GPU targets with every core, then runs, each step under its own
# time limit: the GPU tests (compute-sanitizer memcheck on a subset where installed), `mmn train`
# on the GPU against the CPU backend on tiny and criteo-like data (on tiny also the GPU with
# train.precision=bf16), and the GPU benchmarks (fp32, tf32 and bf16 variants).
# Writes OUT_DIR/report.md (always, even when a step or the build fails), the benchmarks' JSON
# and the logs: at most 8 files. Without a GPU every GPU step reports "skipped: no device".
#
# Environment: MMN_GPU_DEPS_DIR (default gpu-deps/), MMN_GPU_CHECK_BUILD_DIR (default
# build-gpu-check/), MMN_GPU_CHECK_TARGETS (targets to build; default every GPU target),
# MMN_GPU_CHECK_DEVICE=none (act as if no GPU were there), MMN_GPU_CHECK_SECONDS (whole budget,
# default 470), MMN_GPU_CHECK_BUILD_SECONDS (the build's limit, default 300).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
deps="${MMN_GPU_DEPS_DIR:-$root/gpu-deps}"
build="${MMN_GPU_CHECK_BUILD_DIR:-$root/build-gpu-check}"
all_targets="kernel_gpu_tests cuda_backend_gpu_tests mmn gpu_kernel_bench grouped_gemm_bench train_step_gpu_bench"
targets="${MMN_GPU_CHECK_TARGETS:-$all_targets}"
budget="${MMN_GPU_CHECK_SECONDS:-470}"
build_seconds="${MMN_GPU_CHECK_BUILD_SECONDS:-300}"
start=$(date +%s)
deadline=$((start + budget))
arch_lib=usr/lib/x86_64-linux-gnu

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
out="$1"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
steps="$work/steps.tsv"     # name, status, seconds, message
context="$work/context.txt" # key=value lines for the report
: >"$steps"
: >"$context"
device=""                   # "" : no device; else the GPU's name
device_why=""

note() { echo "$1=$2" >>"$context"; }
# record NAME STATUS SECONDS MESSAGE; the report is rewritten after every step, so that even a
# check killed from outside leaves one.
record() {
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4//$'\t'/ }" >>"$steps"
  echo "gpu-check: $1: $2 ${4:+($4)}"
  render_report
}

# The line of a failed step's output that says most about why (for GoogleTest: how many tests
# failed and the first of them).
failure_message() {
  local log="$1" line count
  count="$(grep -m1 -o -E '^\[  FAILED  \] [0-9]+ tests?, listed below' "$log" | grep -o -E '[0-9]+' || true)"
  if [ -n "$count" ]; then
    echo "$count failed: $(grep -E '^\[  FAILED  \] [A-Za-z_/]' "$log" | sed 's/^\[  FAILED  \] //; s/[ ,].*//' | sort -u | head -n 5 | paste -sd' ')"
    return
  fi
  line="$(grep -E '\[  FAILED  \]|FAILED|error:|Error|ERROR|fatal|what\(\)|Segmentation|Aborted' "$log" | grep -v '^\[  FAILED  \] *[0-9]* tests\?, listed' | head -n 1 || true)"
  [ -n "$line" ] || line="$(grep -v '^\s*$' "$log" | tail -n 1 || true)"
  echo "${line:0:300}"
}

# run_step NAME LIMIT_SECONDS LOG COMMAND...: runs COMMAND under `timeout` (its limit, cut to
# what is left of the budget), appends its output to LOG and records the outcome.
run_step() {
  local name="$1" limit="$2" log="$3"
  shift 3
  local now left rc=0 t0 seconds part="$work/step.log"
  now=$(date +%s)
  left=$((deadline - now))
  if [ "$left" -lt 5 ]; then
    record "$name" skipped 0 "out of time (budget ${budget}s)"
    return 1
  fi
  [ "$limit" -le "$left" ] || limit="$left"
  t0=$(date +%s)
  timeout --kill-after=5 "$limit" "$@" >"$part" 2>&1 || rc=$?
  seconds=$(($(date +%s) - t0))
  { echo "== $name (limit ${limit}s, exit $rc, ${seconds}s): $*"; cat "$part"; echo; } >>"$log"
  if [ "$rc" -eq 0 ] && grep -q -E 'no CUDA device|ERROR OCCURRED' "$part"; then
    # A GPU binary that found no device, or a benchmark that failed a check, still exits 0.
    record "$name" failed "$seconds" "$(grep -m1 -E 'no CUDA device|ERROR OCCURRED' "$part" | tr -s ' ' | cut -c1-300)"
  elif [ "$rc" -eq 0 ]; then
    record "$name" passed "$seconds" ""
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    record "$name" failed "$seconds" "timed out after ${limit}s; last line: $(tail -n 1 "$part" | cut -c1-200)"
  else
    record "$name" failed "$seconds" "exit $rc: $(failure_message "$part")"
  fi
  return "$rc"
}

# gpu_step NAME LIMIT LOG BINARY ARGS...: a step that needs the device and a built BINARY.
gpu_step() {
  local name="$1" binary="$4"
  if [ -z "$device" ]; then
    record "$name" skipped 0 "no device"
  elif [ ! -x "$binary" ]; then
    record "$name" skipped 0 "not built"
  else
    run_step "$@" || true
  fi
}

find_device() {
  local line
  if [ "${MMN_GPU_CHECK_DEVICE:-}" = "none" ]; then
    device_why="MMN_GPU_CHECK_DEVICE=none"
  elif ! command -v nvidia-smi >/dev/null; then
    device_why="nvidia-smi not found"
  elif ! line="$(nvidia-smi --query-gpu=name,compute_cap,driver_version,memory.total --format=csv,noheader 2>&1 | head -n 1)" \
      || [ -z "$line" ] || [[ "$line" != *,*,* ]]; then
    device_why="nvidia-smi: ${line:-no GPU listed}"
  else
    device="$(echo "$line" | cut -d, -f1 | xargs)"
    note gpu "$line"
    cuda_arch="$(echo "$line" | cut -d, -f2 | tr -d ' .')"
  fi
  [ -n "$device" ] || note gpu "none ($device_why)"
}

# nvcc and compute-sanitizer: on the PATH, else in the toolkit's folder.
find_toolkit() {
  local bin=/usr/local/cuda/bin
  nvcc="$(command -v nvcc || echo "$bin/nvcc")"
  bin="$(dirname "$nvcc")"
  sanitizer="$(command -v compute-sanitizer || true)"
  local candidate
  for candidate in "$bin/compute-sanitizer" "$bin/../compute-sanitizer/compute-sanitizer"; do
    if [ -z "$sanitizer" ] && [ -x "$candidate" ]; then sanitizer="$candidate"; fi
  done
}

# OpenBLAS travels xz-compressed (gpu-deps.sh). Unpack it into the build folder, beside a copy
# of its pkg-config file that points there: gpu-deps/ itself is only read.
unpack_openblas() {
  local pc_dir="$deps/root/$arch_lib/pkgconfig" to="$build/openblas" packed lib
  packed="$(find "$deps/root/$arch_lib/openblas-pthread" -name '*.so.xz' | head -n 1)"
  lib="$(basename "${packed%.xz}")"
  mkdir -p "$to/pkgconfig"
  if [ ! -e "$to/$lib" ]; then
    if command -v xz >/dev/null; then
      xz -dcT0 "$packed" >"$to/$lib.partial"
    else
      python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' \
        "$packed" "$to/$lib.partial"
    fi
    mv "$to/$lib.partial" "$to/$lib"
  fi
  ln -sf "$lib" "$to/libopenblas.so.0"
  ln -sf "$lib" "$to/libopenblas.so"
  sed "s|\${pcfiledir}|$pc_dir|g; s|^libdir=.*|libdir=$to|" "$pc_dir/openblas.pc" >"$to/pkgconfig/openblas.pc"
}

# pkg-config: the gathered pkgconf where it runs here, else the machine's own; it looks only
# where PKG_CONFIG_LIBDIR says (the unpacked OpenBLAS first).
choose_pkg_config() {
  local gathered="$deps/root/usr/bin/pkgconf"
  export PKG_CONFIG_LIBDIR="$build/openblas/pkgconfig:$deps/root/$arch_lib/pkgconfig:$deps/root/usr/share/pkgconfig"
  export PKG_CONFIG_PATH=""
  if [ -x "$gathered" ] && LD_LIBRARY_PATH="$deps/root/$arch_lib" "$gathered" --version >/dev/null 2>&1; then
    pkg_config="$build/pkg-config"
    printf '#!/bin/sh\nLD_LIBRARY_PATH="%s" exec "%s" "$@"\n' "$deps/root/$arch_lib" "$gathered" >"$pkg_config"
    chmod +x "$pkg_config"
    note pkg_config "gpu-deps' pkgconf $("$pkg_config" --version)"
  else
    pkg_config="$(command -v pkg-config || command -v pkgconf || echo pkg-config-missing)"
    note pkg_config "$pkg_config"
  fi
}

configure_args() {
  cmake_args=(-S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DMMN_WERROR=OFF
    -DMMN_CUDA=ON -DMMN_EMULATOR=OFF -DMMN_MPI=OFF -DMMN_ONNX=OFF -DMMN_BUILD_TESTS=ON -DMMN_BUILD_PERF=ON
    -DCMAKE_CUDA_ARCHITECTURES="$cuda_arch" -DCMAKE_CUDA_COMPILER="$nvcc"
    -DPKG_CONFIG_EXECUTABLE="$pkg_config" -DPKG_CONFIG_USE_CMAKE_PREFIX_PATH=OFF)
  # Find paths: gpu-deps/ and what nvcc's toolkit brings, nothing of this machine's own.
  cmake_args+=(-DCMAKE_PREFIX_PATH="$deps/root/usr"
    -DCMAKE_FIND_USE_CMAKE_SYSTEM_PATH=OFF -DCMAKE_FIND_USE_SYSTEM_ENVIRONMENT_PATH=OFF
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_USE_SYSTEM_PACKAGE_REGISTRY=OFF)
  # With the environment's paths off, CMake finds no programs by itself: name them.
  cmake_args+=(-DCMAKE_CXX_COMPILER="${CXX:-$(command -v g++ || command -v c++ || echo g++)}")
  if command -v ninja >/dev/null; then
    cmake_args+=(-G Ninja -DCMAKE_MAKE_PROGRAM="$(command -v ninja)")
  else
    cmake_args+=(-G "Unix Makefiles" -DCMAKE_MAKE_PROGRAM="$(command -v make || echo make)")
  fi
}

describe_machine() {
  note date "$(date -u '+%Y-%m-%d %H:%M UTC')"
  note commit "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "${MMN_GIT_COMMIT:-unknown (no git here; set MMN_GIT_COMMIT)}")$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  note host "$(uname -n), $(nproc) cores, $(uname -r)"
  note cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs || echo unknown)"
  note nvcc "$nvcc: $( ("$nvcc" --version 2>/dev/null || echo 'not found') | tail -n 1)"
  note cxx "$( (c++ --version 2>/dev/null || echo 'c++: not found') | head -n 1)"
  note cmake "$( (cmake --version 2>/dev/null || echo 'cmake: not found') | head -n 1)"
  note glibc "$( (ldd --version 2>/dev/null || echo 'ldd: not found') | head -n 1)"
  note deps "$(wc -l 2>/dev/null <"$deps/MANIFEST" || echo 0) packages in $(basename "$deps")/, $(du -sh "$deps" 2>/dev/null | cut -f1)"
  note sanitizer "${sanitizer:-not installed}"
  note arch "$cuda_arch"
  note targets "$targets"
  note budget "$budget"
}

# Every built binary starts (its libraries are found) and lists what it would run; with or
# without a device.
start_binaries() {
  local binary
  for binary in "$@"; do
    echo "== $binary"
    case "$binary" in
      *_bench) "$binary" --benchmark_list_tests ;;
      *_tests) "$binary" --gtest_list_tests ;;
      *) "$binary" --help ;;
    esac >/dev/null || { echo "error: $binary did not start"; return 1; }
  done
}

run_tests() {
  local tests="$build/tests" log="$out/tests.log" perf="$build/perf" binary built=()
  for binary in "$tests/kernel_gpu_tests" "$tests/cuda_backend_gpu_tests" "$build/trainer/mmn" \
      "$perf/gpu_kernel_bench" "$perf/grouped_gemm_bench" "$perf/train_step_gpu_bench"; do
    if [ -x "$binary" ]; then built+=("$binary"); fi
  done
  if [ ${#built[@]} -eq 0 ]; then
    record "binaries start" skipped 0 "nothing built"
  else
    export -f start_binaries
    run_step "binaries start" 30 "$log" bash -c 'start_binaries "$@"' _ "${built[@]}" || true
  fi
  gpu_step kernel_gpu_tests 60 "$log" "$tests/kernel_gpu_tests" --gtest_brief=1
  gpu_step cuda_backend_gpu_tests 60 "$log" "$tests/cuda_backend_gpu_tests" --gtest_brief=1
  if [ -n "$sanitizer" ] || [ -z "$device" ]; then
    gpu_step memcheck 60 "$log" "${sanitizer:-compute-sanitizer}" --tool memcheck --error-exitcode 1 \
      "$tests/kernel_gpu_tests" --gtest_brief=1 --gtest_filter='Batches/RoutingKernels.*:Batches/WeightedBceKernel.*:AdamKernel.*'
  else
    record memcheck skipped 0 "compute-sanitizer not installed"
  fi
}

# train_pair NAME CONFIG DATA LOG_EVERY [bf16]: the CPU backend (always) and the GPU (with a device)
# on the same data and configuration, each in its own run directory; with bf16 also the GPU with
# train.precision=bf16 (the towers on the tensor cores).
train_pair() {
  local name="$1" config="$2" data="$3" log="$out/train.log" mmn="$build/trainer/mmn"
  local common=("$config" --overwrite --quiet --set data.train="$data/train" --set data.test="$data/test"
    --set data.heldout= --set run.plots=false --set train.log_every="$4" --set train.checkpoint_every=100000)
  if [ ! -x "$mmn" ]; then
    record "train $name cpu" skipped 0 "not built"
  else
    run_step "train $name cpu" 90 "$log" "$mmn" train "${common[@]}" --device cpu --set run.dir="$work/runs/$name-cpu" || true
  fi
  gpu_step "train $name cuda" 90 "$log" "$mmn" train "${common[@]}" --device cuda --set run.dir="$work/runs/$name-cuda"
  if [ "${5:-}" = bf16 ]; then
    gpu_step "train $name cuda bf16" 90 "$log" "$mmn" train "${common[@]}" --device cuda --set train.precision=bf16 \
      --set run.dir="$work/runs/$name-cuda-bf16"
  fi
}

run_training() {
  local mmn="$build/trainer/mmn" log="$out/train.log"
  if [ ! -x "$mmn" ]; then
    record "synth" skipped 0 "mmn not built"
  else
    run_step "synth tiny" 30 "$log" "$mmn" synth --preset tiny --seed 1 --out "$work/data/tiny" --overwrite || true
    run_step "synth criteo-like" 60 "$log" "$mmn" synth --preset criteo-like --rows "${MMN_GPU_CHECK_ROWS:-400000}" \
      --seed 1 --out "$work/data/criteo-like" --overwrite || true
  fi
  train_pair tiny "$root/configs/tiny.toml" "$work/data/tiny" 25 bf16
  train_pair criteo-like "$root/configs/criteo-like.toml" "$work/data/criteo-like" 10
}

# Within the check's minutes: the large batch only (and the full 357-domain grid for the grouped
# GEMM), 0.05 s of repeats each (MMN_PERF_MIN_TIME); scripts/bench.sh runs them all at length.
run_benchmarks() {
  local perf="$build/perf" log="$out/bench.log" name filter
  for name in gpu_kernel_bench grouped_gemm_bench train_step_gpu_bench; do
    case "$name" in
      gpu_kernel_bench) filter='rows:65536' ;;
      grouped_gemm_bench) filter='domains:357/rows:65536' ;;
      *) filter='.' ;;
    esac
    MMN_PERF_MIN_TIME=0.05 gpu_step "$name" 90 "$log" "$perf/$name" --benchmark_filter="$filter" \
      --benchmark_out="$out/$name.json" --benchmark_out_format=json
  done
}

render_report() {
  sed -i '/^wall_seconds=/d' "$context"
  note wall_seconds "$(($(date +%s) - start))"
  if ! python3 "$root/scripts/gpu_check_report.py" --steps "$steps" --context "$context" \
      --runs "$work/runs" --bench "$out" --out "$out/report.md" 2>"$work/report.err"; then
    { echo "# GPU check (report script failed: $(tail -n 1 "$work/report.err"))"; echo; echo '```'
      cat "$context"; echo; cat "$steps"; echo '```'; } >"$out/report.md"
  fi
}

finish() {
  local rc=$?
  render_report
  echo "gpu-check: report in $out/report.md"
  rm -rf "$work"
  exit "$rc"
}

main() {
  trap finish EXIT
  trap 'exit 143' TERM INT
  cuda_arch="${MMN_GPU_CHECK_ARCH:-90}"
  find_toolkit
  find_device
  describe_machine
  if [ ! -f "$deps/MANIFEST" ]; then
    record configure failed 0 "no $deps/MANIFEST: run scripts/gpu-deps.sh first and carry the folder"
    build="$work/not-configured"
  else
    if [ -d "$build" ] && [ ! -f "$build/CMakeCache.txt" ]; then rm -rf "$build"; fi
    unpack_openblas
    choose_pkg_config
    configure_args
    export LD_LIBRARY_PATH="$deps/root/$arch_lib:$build/openblas${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    if run_step configure 90 "$out/build.log" cmake "${cmake_args[@]}"; then
      # shellcheck disable=SC2086  # the targets are words
      run_step build "$build_seconds" "$out/build.log" cmake --build "$build" -j "$(nproc)" --target $targets || true
    else
      build="$work/not-configured"  # no binaries of an earlier configuration are run
    fi
    note warnings "$(grep -c 'warning:' "$out/build.log" || true)"
  fi
  run_tests
  run_training
  run_benchmarks
  if grep -q $'\tfailed\t' "$steps"; then return 1; fi
}

main "$@"
