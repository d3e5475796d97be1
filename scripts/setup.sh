#!/usr/bin/env bash
# Installs every Debian package mmn needs to build and test. Idempotent: when all
# are present it only checks (a second or so). The CUDA toolkit is optional and not
# installed here: with nvcc on the PATH the CUDA kernel library is built too.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git      # toolchain
  libtomlplusplus-dev                       # schema and config files (TOML)
  libcli11-dev                              # command line
  libxxhash-dev                             # checksums and stable hashing
  nlohmann-json3-dev                        # manifests, reports, benchmark results
  libfmt-dev                                # formatting
  libgtest-dev libgmock-dev                 # tests (GoogleTest, GoogleMock for the SIMT emulator's tests)
  libbenchmark-dev                          # perf/ benchmarks
  libopenblas-dev                           # BLAS for the CPU backend
  zlib1g-dev libzstd-dev                    # gzip and zstd compressed input files
  libonnx-dev libprotobuf-dev               # ONNX export of a trained model
  libboost-context-dev                      # fibers of the SIMT emulator that runs CUDA kernels on the CPU
  clang libclang-rt-14-dev                  # libFuzzer targets and the ThreadSanitizer build
  libopenmpi-dev openmpi-bin                # data parallelism across processes (mpirun / srun)
  gnuplot-nox                               # the run directory's PNG plots (no X11)
  python3-venv                              # the test tools' Python environment (ONNX Runtime)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
