#!/usr/bin/env bash
# Configures and builds mmn in build/ (Release, warnings as errors). Extra
# arguments go to the build step, e.g. `scripts/build.sh --target mmn`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MMN_BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DMMN_WERROR=ON ${MMN_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)" "$@"
