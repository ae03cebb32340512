#!/usr/bin/env bash
# The demo: install deps, build, fetch/export the models, run each with `kiln run`.
# Prints each model's output summary (names, shapes, top values) and the time per inference
# (median of KILN_DEMO_ITERATIONS runs, default 3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
echo "=== building Kiln"
scripts/build.sh build | tail -1
echo "=== preparing models (cached after the first run)"
scripts/models.sh
kiln=build/tools/kiln/kiln
iters=${KILN_DEMO_ITERATIONS:-3}
status=0
demo() {  # demo TITLE MODEL INPUT_DIR
  echo
  echo "=== $1"
  local args=()
  for f in "$3"/*.npy; do args+=(--input "$(basename "$f" .npy)=$f"); done
  echo "\$ kiln run --model $2 ${args[*]} --iterations $iters"
  "$kiln" run --model "$2" "${args[@]}" --iterations "$iters" || status=1
}
demo "PP-OCRv4 text detection, 1x3x640x640" models/ocr/ch_PP-OCRv4_det_infer.onnx models/ocr/det_640x640/inputs
demo "PP-OCRv4 text recognition, 1x3x48x320" models/ocr/ch_PP-OCRv4_rec_infer.onnx models/ocr/rec_48x320/inputs
demo "PP-OCR v2.0 direction classifier, 1x3x48x192" models/ocr/ch_ppocr_mobile_v2.0_cls_infer.onnx models/ocr/cls_48x192/inputs
demo "torchvision ResNet-50 (random weights, seed 0, opset 17), 1x3x224x224" \
  models/torch/resnet50_op17/model.onnx models/torch/resnet50_op17/inputs
echo
[ $status -eq 0 ] && echo "demo: all models ran" || echo "demo: some models failed (see the errors above)"
exit $status
