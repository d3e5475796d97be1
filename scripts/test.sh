#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (CTest): once in the release build,
# then again under AddressSanitizer and UndefinedBehaviorSanitizer (CPU code only;
# MMN_TEST_SANITIZERS=0 skips that pass). GPU-only tests skip with a visible message.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MMN_BUILD_DIR:-$root/build}"
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 900
if [ "${MMN_TEST_SANITIZERS:-1}" != "0" ]; then
  echo "== the suite again under ASan + UBSan"
  MMN_BUILD_DIR="${build}-sanitize" \
    MMN_CMAKE_ARGS="-DMMN_SANITIZE=address,undefined -DMMN_CUDA=OFF -DMMN_BUILD_PERF=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo" \
    bash "$root/scripts/build.sh"
  ctest --test-dir "${build}-sanitize" --output-on-failure -j "$(nproc)" --timeout 900
fi
