#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this). From a fresh Debian 12 machine:
#   1. deps     scripts/install-deps.sh (apt)
#   2. build    build/ with -DKILN_WERROR=ON, ccache
#   3. models   scripts/models.sh: npm (ONNX Runtime + PP-OCR), torchvision export (cached)
#   4. ctest    every test in build/: unit, errors, external data, ONNX node suite, models
#   5. asan     build-asan/ with -DKILN_SANITIZE=ON (ASan+UBSan), ctest -L unit
#   6. fuzz     build-fuzz/ with clang -DKILN_FUZZ=ON, the loader fuzzers from a fixed seed
#               (reproducible): ONNX 600000 runs capped at KILN_FUZZ_SECONDS (60), .om 400000
#               runs capped at KILN_OM_FUZZ_SECONDS (40)
# Every phase runs even if an earlier one failed (except when the build itself fails); the exit
# status is non-zero if any failed. Minutes per phase are printed at the end.
# Skip phases with KILN_SKIP="asan fuzz" (for quick local runs; CI skips nothing).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1  # cache hits across clone folders (see build.sh)
skip=" ${KILN_SKIP:-} "
failed=()
timings=()
phase() {  # phase NAME COMMAND...
  local name=$1 start=$SECONDS rc=0
  shift
  if [[ "$skip" == *" $name "* ]]; then timings+=("$(printf '%-7s skipped' "$name")"); return 0; fi
  echo "=== $name: $*"
  "$@" || rc=$?
  local t=$((SECONDS - start))
  timings+=("$(printf '%-7s %2d:%02d  %s' "$name" $((t / 60)) $((t % 60)) "$([ $rc -eq 0 ] && echo ok || echo "FAILED ($rc)")")")
  [ $rc -eq 0 ] || failed+=("$name")
  return $rc
}
summary() {
  echo "=== test.sh summary (minutes:seconds)"
  printf '  %s\n' "${timings[@]}"
  if [ ${#failed[@]} -gt 0 ]; then echo "FAILED phases: ${failed[*]}"; exit 1; fi
  echo "all phases passed"
}

phase deps scripts/install-deps.sh || { summary; }
phase build scripts/build.sh build || { summary; }
phase models scripts/models.sh
phase ctest ctest --test-dir build -j2 --output-on-failure --timeout 1800
phase asan bash -c 'scripts/build.sh build-asan -DKILN_SANITIZE=ON && \
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-asan -L unit -j2 --output-on-failure'
phase fuzz bash -c 'CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DKILN_FUZZ=ON -DKILN_BUILD_TESTS=OFF \
  -DKILN_FUZZ_SECONDS=${KILN_FUZZ_SECONDS:-60} -DKILN_OM_FUZZ_SECONDS=${KILN_OM_FUZZ_SECONDS:-40} >/dev/null && \
  ninja -C build-fuzz -j2 onnx_loader_fuzz om_loader_fuzz && \
  ctest --test-dir build-fuzz -L fuzz --output-on-failure'
summary
