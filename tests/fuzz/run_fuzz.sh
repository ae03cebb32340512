#!/usr/bin/env bash
# run_fuzz.sh FUZZER CORPUS_DIR SECONDS: seeds CORPUS_DIR with a few node-test models, then fuzzes
# for SECONDS. libFuzzer exits non-zero (and writes crash-*/leak-*/timeout-* next to the corpus)
# on any crash, sanitizer report, leak, or input slower than 10 s.
set -euo pipefail
fuzzer=$1 corpus=$2 seconds=$3
node=/usr/share/libonnx-testdata/data/node
rm -rf "$corpus"  # start from the seeds alone, so every run explores the same inputs
mkdir -p "$corpus" "$corpus.artifacts"
for t in test_add test_conv_with_strides_padding test_if test_loop11 test_constant test_gather_0 \
         test_reshape_extended_dims test_lstm_defaults test_cast_FLOAT_to_STRING test_resize_upsample_scales_linear; do
  [ -f "$node/$t/model.onnx" ] && cp -n "$node/$t/model.onnx" "$corpus/seed_$t.onnx"
done
# Inputs that once crashed the loader stay in the corpus as regression seeds.
cp -n "$(dirname "$0")"/regressions/*.onnx "$corpus"/ 2>/dev/null || true
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# A fixed seed and run count make the CI run reproducible: the same binary and seeds explore the
# same inputs, so a green run stays green and a red one can be replayed (KILN_FUZZ_SEED=0 for a
# random seed when hunting locally). SECONDS still caps the wall time.
exec "$fuzzer" -seed="${KILN_FUZZ_SEED:-1}" -runs="${KILN_FUZZ_RUNS:-600000}" \
     -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
     -print_final_stats=1 -artifact_prefix="$corpus.artifacts/" "$corpus"
