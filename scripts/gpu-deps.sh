#!/usr/bin/env bash
# Gathers into gpu-deps/ (git-ignored, at the repo root) the files of every Debian package the
# GPU build needs that a bare CUDA machine lacks (CUDA toolkit, CMake, ninja, g++ and Python
# there; no -dev packages, no network), so that the folder can travel with the working tree
# and scripts/gpu-check.sh can build and run there. Runs where Debian's registry is reachable.
#
#   gpu-deps/root/usr/...   the packages' files (apt-get download + dpkg -x), pruned; the
#                           pkg-config files rewritten to point inside the folder
#   gpu-deps/MANIFEST       package=version, one a line
#
# OpenBLAS's shared library (36 MB) is kept xz-compressed; gpu-check.sh unpacks it. The GPU
# build needs no Boost (MMN_EMULATOR=OFF) and no MPI (MMN_MPI=OFF). The libraries need glibc 2.34
# and the libstdc++ of GCC 12 or newer there (Debian 12 builds).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
deps="${MMN_GPU_DEPS_DIR:-$root/gpu-deps}"
limit_bytes=$((48 * 1024 * 1024))
arch_dir=usr/lib/x86_64-linux-gnu

packages=(
  libgtest-dev libgmock-dev                      # GPU test binaries
  libbenchmark-dev libbenchmark1debian           # GPU benchmarks
  libtomlplusplus-dev libtomlplusplus3           # configs, schemas
  libcli11-dev                                   # the mmn command line
  libfmt-dev libfmt9
  nlohmann-json3-dev
  libxxhash-dev libxxhash0
  zlib1g-dev libzstd-dev                         # compressed input (ingest)
  libopenblas-pthread-dev libopenblas0-pthread   # the CPU backend's BLAS (loaded at run time)
  libgfortran5 libquadmath0                      # what OpenBLAS links
  pkgconf-bin libpkgconf3                        # pkg-config, in case the machine has none
)

download() {
  local dir="$1"
  if ! (cd "$dir" && apt-get download -q "${packages[@]}" >/dev/null 2>&1); then
    apt-get update -qq
    (cd "$dir" && apt-get download -q "${packages[@]}" >/dev/null)
  fi
}

# Removes what neither the build nor the programs read: docs, static archives that have a
# shared twin, LAPACK and the reference-BLAS names of OpenBLAS.
prune() {
  local tree="$1"
  rm -rf "$tree/usr/share/doc" "$tree/usr/share/man" "$tree/usr/share/lintian"
  rm -f "$tree/$arch_dir/libxxhash.a"
  rm -f "$tree/$arch_dir"/openblas-pthread/lib{blas,lapack,openblas}*.a
  rm -f "$tree/$arch_dir"/openblas-pthread/lib{blas,lapack}.so*
  rm -f "$tree/$arch_dir"/openblas-pthread/pkgconfig/{blas,lapack}-openblas.pc
}

# pkg-config files name /usr; make them name the folder they are in (${pcfiledir}). First
# what Debian's alternatives would link: openblas.pc where pkg-config looks.
relocate_pkgconfig() {
  local tree="$1" pc rel
  mv "$tree/$arch_dir/openblas-pthread/pkgconfig/openblas.pc" "$tree/$arch_dir/pkgconfig/openblas.pc"
  while IFS= read -r pc; do
    rel="$(realpath --relative-to="$(dirname "$pc")" "$tree")"
    sed -i "s|=/usr|=\${pcfiledir}/$rel/usr|" "$pc"
  done < <(find "$tree" -name '*.pc')
}

compress_openblas() {
  local tree="$1" lib
  lib="$(find "$tree/$arch_dir/openblas-pthread" -name 'libopenblas*-r*.so' -type f)"
  xz -T0 -6 "$lib"   # leaves $lib.xz; gpu-check.sh restores $lib
}

write_manifest() {
  local dir="$1" deb
  for deb in "$dir"/*.deb; do
    dpkg-deb -f "$deb" Package Version | paste -sd= | sed 's/^Package: //; s/=Version: /=/'
  done
}

work=""
trap '[ -z "$work" ] || rm -rf "$work"' EXIT

main() {
  work="$(mktemp -d)"
  mkdir -p "$work/debs" "$work/out/root"
  download "$work/debs"
  local deb
  for deb in "$work"/debs/*.deb; do dpkg -x "$deb" "$work/out/root"; done
  prune "$work/out/root"
  relocate_pkgconfig "$work/out/root"
  compress_openblas "$work/out/root"
  write_manifest "$work/debs" >"$work/out/MANIFEST"

  local size
  size="$(du -sb "$work/out" | cut -f1)"
  if [ "$size" -gt "$limit_bytes" ]; then
    echo "gpu-deps: $((size / 1024 / 1024)) MiB, over the 48 MiB limit" >&2
    exit 1
  fi
  rm -rf "$deps"
  mv "$work/out" "$deps"
  echo "gpu-deps: ${#packages[@]} packages, $((size / 1024)) KiB in $deps"
}

main "$@"
