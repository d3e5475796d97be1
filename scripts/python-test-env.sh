#!/usr/bin/env bash
# The Python that tests use to check an ONNX export with ONNX Runtime (tooling only: mmn
# itself needs no Python): a virtual environment at .venv-tests (MMN_TEST_VENV overrides)
# with pinned versions from the Python package index. Idempotent: a second run only checks.
# Prints the interpreter's path on its last line.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${MMN_TEST_VENV:-$root/.venv-tests}"
packages=(onnxruntime==1.32.0 onnx==1.23.2 numpy==2.4.6)
if ! "$venv/bin/python3" -c 'import onnxruntime, onnx, numpy' 2>/dev/null; then
  echo "python-test-env: installing ${packages[*]} into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}" >&2
fi
echo "$venv/bin/python3"
