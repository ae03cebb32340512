#!/usr/bin/env bash
# One model test: run `kiln run` on CASE_DIR/inputs/*.npy and compare with CASE_DIR/<ref>/*.npy.
#   run_case.sh KILN MODEL CASE_DIR OUT_DIR [REF_SUBDIR=expected] [compare options]
# KILN_BACKEND (cpu | reference, default cpu) picks the backend `kiln run` uses.
set -euo pipefail
kiln=$1 model=$2 case_dir=$3 out=$4 ref=${5:-expected}
shift $(( $# < 5 ? $# : 5 ))
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -f "$model" ] || [ ! -d "$case_dir/$ref" ]; then
  echo "missing $model or $case_dir/$ref: run scripts/models.sh first (scripts/test.sh does)"
  exit 1
fi
args=()
for f in "$case_dir"/inputs/*.npy; do args+=(--input "$(basename "$f" .npy)=$f"); done
rm -rf "$out"
backend=${KILN_BACKEND:-cpu}
echo "+ kiln run --backend $backend --model $model ${args[*]} --output-dir $out"
"$kiln" run --backend "$backend" --model "$model" "${args[@]}" --output-dir "$out"
echo "+ compare_npy.py $case_dir/$ref $out $*"
/usr/bin/python3 "$here/compare_npy.py" "$case_dir/$ref" "$out" "$@"
