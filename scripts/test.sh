#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (CTest): once in the release build,
# then again under AddressSanitizer and UndefinedBehaviorSanitizer (CPU code only;
# MMN_TEST_SANITIZERS=0 skips that pass), then the fuzz targets (scripts/fuzz.sh;
# MMN_TEST_FUZZ=0 skips) and the ThreadSanitizer build (scripts/tsan.sh; MMN_TEST_TSAN=0
# skips). GPU-only tests skip with a visible message. MMN_TEST_DOCKER=1 (off by default,
# about 18 min more, needs root) adds scripts/docker-check.sh: the CPU image built and run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MMN_BUILD_DIR:-$root/build}"
bash "$root/scripts/setup.sh"
# ONNX Runtime for the export tests (a Python virtual environment; the tests fail without it).
MMN_TEST_PYTHON="$(bash "$root/scripts/python-test-env.sh" | tail -n 1)"
export MMN_TEST_PYTHON MMN_REQUIRE_ONNXRUNTIME=1
bash "$root/scripts/build.sh"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 900
if [ "${MMN_TEST_SANITIZERS:-1}" != "0" ]; then
  echo "== the suite again under ASan + UBSan"
  MMN_BUILD_DIR="${build}-sanitize" \
    MMN_CMAKE_ARGS="-DMMN_SANITIZE=address,undefined -DMMN_CUDA=OFF -DMMN_BUILD_PERF=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo" \
    bash "$root/scripts/build.sh"
  ctest --test-dir "${build}-sanitize" --output-on-failure -j "$(nproc)" --timeout 900
fi
# libFuzzer targets, each for MMN_FUZZ_SECONDS (MMN_TEST_FUZZ=0 skips them).
if [ "${MMN_TEST_FUZZ:-1}" != "0" ]; then
  echo "== fuzzing"
  MMN_FUZZ_BUILD_DIR="${build}-fuzz" MMN_FUZZ_SECONDS="${MMN_FUZZ_SECONDS:-20}" bash "$root/scripts/fuzz.sh"
fi
# ThreadSanitizer over the thread pool and its users (MMN_TEST_TSAN=0 skips it).
if [ "${MMN_TEST_TSAN:-1}" != "0" ]; then
  echo "== ThreadSanitizer"
  MMN_TSAN_BUILD_DIR="${build}-tsan" bash "$root/scripts/tsan.sh"
fi
# The CPU Docker image built with buildah and its benchmark entry run (opt-in: MMN_TEST_DOCKER=1).
if [ "${MMN_TEST_DOCKER:-0}" = "1" ]; then
  echo "== the CPU Docker image (scripts/docker-check.sh)"
  bash "$root/scripts/docker-check.sh"
fi
