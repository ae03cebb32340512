#!/usr/bin/env bash
# run_om_fuzz.sh FUZZER CORPUS_DIR SECONDS: seeds CORPUS_DIR with a small .om the fuzzer binary
# writes itself (KILN_OM_WRITE_SEED) plus regression inputs, then fuzzes for SECONDS with a fixed
# seed and run count (reproducible, like run_fuzz.sh).
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=$3
rm -rf "$corpus"
mkdir -p "$corpus" "$corpus.artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
KILN_OM_WRITE_SEED="$corpus/seed_small.om" "$fuzzer"
cp -n "$(dirname "$0")"/regressions/*.om "$corpus"/ 2>/dev/null || true
exec "$fuzzer" -seed="${KILN_FUZZ_SEED:-1}" -runs="${KILN_OM_FUZZ_RUNS:-400000}" \
     -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
     -print_final_stats=1 -artifact_prefix="$corpus.artifacts/" "$corpus"
