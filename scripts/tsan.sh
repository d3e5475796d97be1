#!/usr/bin/env bash
# ThreadSanitizer over the code that runs on the thread pool: the pool itself, data set
# verification spread over it, the parallel CSV/TSV ingest, the batch loader and training
# steps. A small build of just those tests in its own directory (MMN_TSAN_BUILD_DIR,
# default build-tsan); any report fails.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${MMN_TSAN_BUILD_DIR:-$root/build-tsan}"
start=$SECONDS
# -O1 with line tables: a quicker build than -O2 -g, and reports still name file and line.
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DMMN_WERROR=ON -DMMN_SANITIZE=thread \
  -DMMN_CUDA=OFF -DMMN_ONNX=OFF -DMMN_BUILD_PERF=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target util_tests data_tests ingest_tests train_tests
echo "tsan: build took $((SECONDS - start)) s"

# OpenBLAS's own threads are not instrumented: keep its GEMMs on the calling thread.
export OPENBLAS_NUM_THREADS=1 MMN_THREADS=2
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1"
run() {
  echo "== tsan: $*"
  "$build/tests/$1" "${@:2}" --gtest_brief=1
}
run util_tests --gtest_filter='ThreadPool.*'
run data_tests --gtest_filter='Dataset.*'
run ingest_tests
run train_tests --gtest_filter='BatchLoader.*:Trainer.ResumedRunEqualsUninterruptedRunBitwise:Trainer.SkipBatchPolicy*'
echo "tsan: total $((SECONDS - start)) s"
