#!/usr/bin/env bash
# Builds and runs the Docker images for real, with no Docker engine and no registry:
# buildah builds the Dockerfiles without a daemon and debootstrap makes the debian:12
# base from the Debian mirror apt uses. Needs root and the Debian packages buildah and
# debootstrap (installed when missing), python3 for the results check. Takes about
# 18 min on 2 cores, most of it the project's build and test suite inside the image.
#
#   scripts/docker-check.sh [--results DIR] [--no-smoke] [--no-build] [--keep] [-- BENCH_ARGS...]
#   scripts/docker-check.sh --check-cuda
#   scripts/docker-check.sh --check-results DIR [--expect-commit C] [--expect-benches a,b]
#
# Default: (1) base: debootstrap --variant=minbase bookworm, imported with `buildah from
# scratch` and committed as debian:12 (skipped when the image exists); (2) build:
# docker/Dockerfile.cpu with its .dockerignore, --pull=never (mmn:cpu); (3) run: the
# image's ENTRYPOINT with DIR mounted at /results and `--smoke` (bench.sh's token
# amount of work; --no-smoke runs the full suite; BENCH_ARGS go to bench.sh);
# (4) check: every benchmark binary of the image left DIR/<bench>.json that parses,
# carries the mmn context (commit, CPU, threads, BLAS library and core) and no errors
# (with a --filter in BENCH_ARGS, only the files bench.sh leaves are checked).
# --check-cuda: docker/Dockerfile.cuda's steps with its FROM line swapped for the local
# debian:12 (the NVIDIA base cannot be had here): passes when the build stops at the
# CUDA build with a clear "no CUDA toolkit" message, fails on anything else.
# --check-results: step (4) alone on an existing folder.
# --no-build runs and checks the mmn:cpu built before. --keep keeps the run's container (default: removed). Image storage: MMN_DOCKER_DIR
# (default /var/tmp/mmn-docker-check; vfs driver, several GB). Results default to
# $MMN_DOCKER_DIR/results-<date>. MMN_DEBIAN_MIRROR overrides the mirror. MMN_DOCKER_HOST_CA=1
# puts the CAs the host added (/usr/local/share/ca-certificates) into the base, for a
# machine behind a TLS-intercepting proxy (takes effect when the base is made).
# Exit status: 0 passed, 1 a step failed (named in the message), 2 bad arguments.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${MMN_DOCKER_DIR:-/var/tmp/mmn-docker-check}"
mode=cpu results="" smoke=1 keep=0 build=1 expect_commit="" expect_benches="" bench_args=()

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --results) results="${2:?--results needs a folder}"; shift ;;
    --no-smoke) smoke=0 ;;
    --keep) keep=1 ;;
    --no-build) build=0 ;;
    --check-cuda) mode=cuda ;;
    --check-results) mode=results; results="${2:?--check-results needs a folder}"; shift ;;
    --expect-commit) expect_commit="${2:?}"; shift ;;
    --expect-benches) expect_benches="${2:?}"; shift ;;
    --) shift; bench_args=("$@"); break ;;
    -h|--help) usage 0 ;;
    *) echo "docker-check: unknown argument '$1'" >&2; usage 2 ;;
  esac
  shift
done

fail() { echo "docker-check: FAILED at $phase: $*" >&2; exit 1; }
phase="setup"
# any other command that fails under set -e still names the step
trap 'echo "docker-check: FAILED at $phase: line $LINENO: $BASH_COMMAND" >&2' ERR
declare -A took=()
phases=()
begin() { phase="$1"; phase_start=$SECONDS; phases+=("$1"); echo "== docker-check: $1"; }
end() { took[$phase]=$((SECONDS - phase_start)); echo "== docker-check: $phase done in ${took[$phase]} s"; }
report() {
  local p line=""
  for p in "${phases[@]}"; do line+="$p ${took[$p]:-(failed)} s, "; done
  echo "docker-check: phases: ${line%, }; total $SECONDS s"
}

# (4) The benchmark results: every expected <bench>.json parses, carries the context,
# has benchmarks and no errors; the masking table the entry writes is there.
check_results() {
  command -v python3 >/dev/null || fail "python3 is needed to read the results"
  python3 - "$1" "$expect_commit" "$expect_benches" <<'EOF' || fail "the benchmark results in $1 (see above)"
import json, os, sys
folder, commit, expected = sys.argv[1], sys.argv[2], [b for b in sys.argv[3].split(",") if b]
problems = []
if not os.path.isdir(folder):
    sys.exit(f"results folder '{folder}' does not exist")
found = sorted(f[:-5] for f in os.listdir(folder) if f.endswith("_bench.json"))
if not found:
    sys.exit(f"no <bench>.json in '{folder}'")
for name in expected:
    if name not in found:
        problems.append(f"{name}.json missing (the image has {name})")
keys = ["mmn_git_commit", "mmn_cpu_model", "mmn_threads", "mmn_build_type", "mmn_smoke",
        "mmn_blas_library", "mmn_blas_core"]
summary = []
for name in found:
    path = os.path.join(folder, name + ".json")
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        problems.append(f"{name}.json does not parse: {e}")
        continue
    ctx = doc.get("context")
    if not isinstance(ctx, dict):
        problems.append(f"{name}.json has no context")
        continue
    for k in keys:
        if not str(ctx.get(k, "")).strip():
            problems.append(f"{name}.json: context has no {k}")
    if commit and ctx.get("mmn_git_commit") != commit:
        problems.append(f"{name}.json: mmn_git_commit is '{ctx.get('mmn_git_commit')}', expected '{commit}'")
    benches = doc.get("benchmarks")
    if not isinstance(benches, list) or not benches:
        problems.append(f"{name}.json has no benchmarks")
        continue
    errors = [b.get("name", "?") for b in benches if b.get("error_occurred")]
    if errors:
        problems.append(f"{name}.json: {len(errors)} benchmarks report an error, first {errors[0]}")
    if not os.path.isfile(os.path.join(folder, name + ".log")):
        problems.append(f"{name}.log missing")
    summary.append((name, ctx, benches))
if "auto_masking_bench" in found and not os.path.isfile(os.path.join(folder, "auto_masking.md")):
    problems.append("auto_masking.md missing (mmn-perf-masking-table did not run)")
if problems:
    print("docker-check: the results in %s fail the check:" % folder, file=sys.stderr)
    for p in problems:
        print("  - " + p, file=sys.stderr)
    sys.exit(1)
ctx = summary[0][1]
print(f"results: {len(summary)} benchmark files, {sum(len(s[2]) for s in summary)} benchmarks, no errors")
for k in ["mmn_git_commit", "mmn_cpu_model", "mmn_threads", "mmn_build_type", "mmn_native", "mmn_smoke",
          "mmn_blas_library", "mmn_blas_config", "mmn_blas_core", "mmn_blas_core_chosen_by", "mmn_blas_warning"]:
    if k in ctx:
        print(f"  {k}: {ctx[k]}")
for name, _, benches in summary:
    b = benches[0]
    extra = "".join(f", {k} {b[k]:.4g}" for k in ("items_per_second", "bytes_per_second", "fraction_of_roofline")
                    if isinstance(b.get(k), (int, float)))
    print(f"  {name}: {len(benches)} benchmarks; first {b.get('name')}: "
          f"{b.get('real_time', 0):.4g} {b.get('time_unit', '')}{extra}")
for extra in ("auto_masking.md", "auto_masking.csv", "auto_masking.png"):
    print(f"  {extra}: {'present' if os.path.isfile(os.path.join(folder, extra)) else 'absent'}")
EOF
}

if [ "$mode" = results ]; then
  phase="check"
  check_results "$results"
  exit 0
fi

# ---------------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || { echo "docker-check: needs root (debootstrap, buildah with chroot isolation)" >&2; exit 2; }
begin "tools"
need=()
command -v buildah >/dev/null || need+=(buildah)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  echo "docker-check: installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq || fail "apt-get update"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || fail "apt-get install ${need[*]}"
fi
mkdir -p "$work"
# Own storage with the vfs driver: no overlay or fuse needed, nothing shared with other users of buildah.
bah=(buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs)
image_exists() { "${bah[@]}" inspect --type image "$1" >/dev/null 2>&1; }
end

if [ "$mode" = cpu ] && [ "$build" = 0 ]; then
  phase="run"
  image_exists mmn:cpu || fail "--no-build, but there is no mmn:cpu image in $work/storage"
fi

# (1) debian:12 from the Debian mirror apt uses (not needed to rerun a built image).
if [ "$mode" = cuda ] || [ "$build" = 1 ]; then
begin "base"
base=docker.io/library/debian:12   # what `FROM debian:12` means
if image_exists "$base"; then
  echo "docker-check: $base exists ($("${bah[@]}" inspect --type image --format '{{.FromImageID}}' "$base" | cut -c1-12)); not remade"
else
  mirror="${MMN_DEBIAN_MIRROR:-}"
  if [ -z "$mirror" ]; then
    # one-line `deb URI bookworm ...` or deb822 `URIs:` in a stanza whose Suites name bookworm
    mirror="$( (cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true) \
      | awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) while (i < NF && $i !~ /\]$/) i++; if ($2 ~ /^\[/) i++
                           if ($(i + 1) == "bookworm") { print $i; exit } }')"
    [ -n "$mirror" ] || mirror="$( (cat /etc/apt/sources.list.d/*.sources 2>/dev/null || true) | awk '
      /^[ \t]*$/ { if (suite && uri) { print uri; uri = ""; exit } suite = 0; uri = "" }
      /^URIs:/ { uri = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") suite = 1 }
      END { if (suite && uri) print uri }')"
  fi
  [ -n "$mirror" ] || fail "no Debian bookworm mirror in /etc/apt/sources.list*; set MMN_DEBIAN_MIRROR"
  rootfs="$work/rootfs-bookworm"
  rm -rf "$rootfs"
  echo "docker-check: debootstrap --variant=minbase bookworm from $mirror (log $work/debootstrap.log)"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -5 "$work/debootstrap.log" >&2; fail "debootstrap from $mirror"; }
  # apt sources as the official image has them (deb822), against the same mirror
  rm -f "$rootfs/etc/apt/sources.list"
  security="${mirror%/debian}/debian-security"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*.log
  if [ "${MMN_DOCKER_HOST_CA:-0}" = 1 ]; then
    # behind a TLS-intercepting proxy: the CAs this host added, trusted once the image installs ca-certificates
    mkdir -p "$rootfs/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/" \
      || fail "MMN_DOCKER_HOST_CA=1, but no /usr/local/share/ca-certificates/*.crt to copy"
    echo "docker-check: the base trusts the host's added CAs: $(ls /usr/local/share/ca-certificates | tr '\n' ' ')"
  fi
  ctr="$("${bah[@]}" from scratch)" || fail "buildah from scratch"
  mnt="$("${bah[@]}" mount "$ctr")" || fail "buildah mount"
  cp -a "$rootfs"/. "$mnt"/ || fail "copying the root file system into the container"
  "${bah[@]}" umount "$ctr" >/dev/null
  "${bah[@]}" config --os linux --arch amd64 --cmd bash \
    --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$ctr"
  "${bah[@]}" commit --quiet "$ctr" "$base" >/dev/null || fail "buildah commit $base"
  "${bah[@]}" rm "$ctr" >/dev/null
  rm -rf "$rootfs"
  echo "docker-check: made $base from $mirror"
fi
end
fi

commit="$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
# (2) the image, as `docker build` would: repository root as context, the Dockerfile's ignore file
build_image() {  # Dockerfile ignorefile tag log: the whole output into log, its STEP lines timed
  local dockerfile="$1" ignorefile="$2" tag="$3" log="$4" start=$SECONDS
  echo "docker-check: buildah bud -f $dockerfile -t $tag (log $log)"
  "${bah[@]}" bud --isolation chroot --pull=never --layers -f "$dockerfile" --ignorefile "$ignorefile" \
    --build-arg MMN_GIT_COMMIT="$commit" -t "$tag" "$root" 2>&1 \
    | while IFS= read -r line; do
        printf '%s\n' "$line" >&3
        case "$line" in "STEP "*) printf '  %5d s  %.100s\n' $((SECONDS - start)) "$line" ;; esac
      done 3>"$log"
  return "${PIPESTATUS[0]}"
}

if [ "$mode" = cuda ]; then
  begin "build-cuda"
  # The NVIDIA base is out of reach: the same steps on debian:12 (same apt-based layout),
  # where setup.sh installs no CUDA toolkit. The build must stop at the CUDA build, clearly.
  swapped="$work/Dockerfile.cuda-on-debian"
  sed 's|^FROM nvidia/cuda:.*|FROM debian:12|' "$root/docker/Dockerfile.cuda" >"$swapped"
  grep -q '^FROM debian:12$' "$swapped" || fail "no 'FROM nvidia/cuda:...' line to swap in docker/Dockerfile.cuda"
  log="$work/build-cuda-$(date +%Y%m%d-%H%M%S).log"
  echo "docker-check: docker/Dockerfile.cuda with its FROM line swapped to debian:12"
  if build_image "$swapped" "$root/docker/Dockerfile.cuda.dockerignore" mmn:cuda-on-debian "$log"; then
    fail "the CUDA image built without a CUDA toolkit: MMN_CUDA=ON should have stopped it"
  fi
  if grep -qiE "CUDA toolkit|nvcc" "$log" && grep -q "MMN_CUDA=ON" "$log"; then
    echo "docker-check: the build stopped where expected:"
    grep -iE -m3 "CUDA toolkit|nvcc" "$log" | sed 's/^/  /'
  else
    tail -20 "$log" >&2
    fail "the CUDA build failed, but not with a clear 'no CUDA toolkit' message (log $log)"
  fi
  end
  report
  exit 0
fi

if [ "$build" = 1 ]; then
begin "build"
log="$work/build-cpu-$(date +%Y%m%d-%H%M%S).log"
build_image "$root/docker/Dockerfile.cpu" "$root/docker/Dockerfile.cpu.dockerignore" mmn:cpu "$log" || { tail -30 "$log" >&2; fail "buildah bud docker/Dockerfile.cpu (log $log)"; }
grep -E "tests passed|tests failed" "$log" | tail -1 | sed 's/^/  /' || true
end
fi

# (3) the image's ENTRYPOINT, as `docker run -v DIR:/results mmn:cpu --smoke` would run it
begin "run"
results="${results:-$work/results-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$results"
results="$(cd "$results" && pwd)"
config="$("${bah[@]}" inspect --type image mmn:cpu)" || fail "buildah inspect mmn:cpu"
mapfile -t ep < <(python3 -c 'import json,sys; [print(a) for a in json.loads(sys.argv[1])["OCIv1"]["config"].get("Entrypoint") or []]' "$config")
# the commit the results must carry: the one just built, or with --no-build the image's
[ "$build" = 1 ] || commit="$(python3 -c 'import json,sys
env = json.loads(sys.argv[1])["OCIv1"]["config"].get("Env") or []
print(next((e.split("=", 1)[1] for e in env if e.startswith("MMN_GIT_COMMIT=")), ""))' "$config")"
[ ${#ep[@]} -gt 0 ] || fail "mmn:cpu has no ENTRYPOINT"
args=()
[ "$smoke" = 0 ] || args+=(--smoke)
args+=("${bench_args[@]}")
ctr="$("${bah[@]}" from --pull=never --name "mmn-cpu-check-$$" mmn:cpu)" || fail "buildah from mmn:cpu"
[ "$keep" = 1 ] || trap '"${bah[@]}" rm "$ctr" >/dev/null 2>&1 || true' EXIT
# buildah 1.28 (chroot isolation) mounts the image's own VOLUME /results over a --volume at
# the same path, so the results would stay in the container; docker run's -v replaces it.
# Drop the image's volume from this container, as docker's bind mount would.
"${bah[@]}" config --volume /results- "$ctr" || fail "buildah config --volume /results-"
mapfile -t image_benches < <("${bah[@]}" run --isolation chroot "$ctr" -- bash -c \
  'for b in "$MMN_BUILD_DIR"/perf/*_bench; do [ -x "$b" ] && basename "$b"; done')
echo "docker-check: the image has ${#image_benches[@]} benchmark binaries"
echo "docker-check: buildah run -v $results:/results $ctr -- ${ep[*]} ${args[*]}"
"${bah[@]}" run --isolation chroot --volume "$results:/results:rw" "$ctr" -- "${ep[@]}" "${args[@]}" \
  || fail "the image's benchmark entry (${ep[*]} ${args[*]}) exited with status $?"
end

begin "check"
expect_commit="$commit"
# every binary leaves its file, unless a --filter passed to bench.sh leaves some out
case " ${bench_args[*]} " in
  *" --filter "*|*" --filter="*) expect_benches="" ;;
  *) expect_benches="$(IFS=,; echo "${image_benches[*]}")" ;;
esac
check_results "$results"
end
report
