#!/usr/bin/env bash
# Installs the built mmn into a temporary prefix, then configures, builds and runs
# a separate project that uses find_package(mmn).
set -euo pipefail
build="$1"
source="$(cd "$(dirname "$0")" && pwd)/consumer"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$source" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/consumer" "$work/data"
test -x "$work/prefix/bin/mmn"
