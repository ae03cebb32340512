#!/usr/bin/env bash
# The demo: install deps, build, fetch/export the models, convert each to an offline model with
# `atc` (Kiln's ATC-compatible converter; ResNet-50 also with AIPP preprocessing fused in), then
# run the .om files with `kiln run`. Prints the conversion time, the .om load + prepare time, each
# model's output summary (names, shapes, top values) and the time per inference (median of
# KILN_DEMO_ITERATIONS runs, default 3). Offline models land in out/demo/ (git-ignored).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/install-deps.sh
echo "=== building Kiln"
scripts/build.sh build | tail -1
echo "=== preparing models (cached after the first run)"
scripts/models.sh
kiln=build/tools/kiln/kiln
atc=build/tools/kiln/atc
iters=${KILN_DEMO_ITERATIONS:-3}
out=out/demo
mkdir -p "$out"
status=0
demo() {  # demo TITLE OM_NAME INPUT_DIR -- ATC_ARGS...
  local title=$1 name=$2 inputs=$3
  shift 4
  echo
  echo "=== $title"
  echo "\$ atc $* --framework=5 --soc_version=Ascend310 --output=$out/$name"
  local start
  start=$(date +%s%N)
  if ! "$atc" "$@" --framework=5 --soc_version=Ascend310 --output="$out/$name"; then
    status=1
    return
  fi
  echo "conversion took $(( ($(date +%s%N) - start) / 1000000 )) ms (wall, whole atc process); $name.om is $(du -m "$out/$name.om" | cut -f1) MB"
  local args=()
  for f in "$inputs"/*.npy; do args+=(--input "$(basename "$f" .npy)=$f"); done
  echo "\$ kiln run --model $out/$name.om ${args[*]} --iterations $iters"
  "$kiln" run --model "$out/$name.om" "${args[@]}" --iterations "$iters" || status=1
}
demo "PP-OCRv4 text detection, 1x3x640x640" det models/ocr/det_640x640/inputs -- \
  --model=models/ocr/ch_PP-OCRv4_det_infer.onnx --input_shape="x:1,3,640,640"
demo "PP-OCRv4 text recognition, 1x3x48x320" rec models/ocr/rec_48x320/inputs -- \
  --model=models/ocr/ch_PP-OCRv4_rec_infer.onnx --input_shape="x:1,3,48,320"
demo "PP-OCR v2.0 direction classifier, 1x3x48x192" cls models/ocr/cls_48x192/inputs -- \
  --model=models/ocr/ch_ppocr_mobile_v2.0_cls_infer.onnx --input_shape="x:1,3,48,192"
demo "torchvision ResNet-50 (random weights, seed 0, opset 17), 1x3x224x224 float" resnet50 \
  models/torch/resnet50_op17/inputs -- --model=models/torch/resnet50_op17/model.onnx
demo "the same ResNet-50 with AIPP: raw NV12 224x224 in (YUV->RGB, ImageNet normalisation fused)" \
  resnet50_aipp models/aipp/nv12_224 -- --model=models/torch/resnet50_op17/model.onnx \
  --insert_op_conf=configs/aipp/yuv420sp_224_imagenet.cfg

# The AscendCL side: install the toolkit to a prefix and build the synchronous classification
# sample out of tree exactly as an AscendCL application is built (source set_env.sh; its CMake
# reads DDK_PATH / NPU_HOST_LIB), then run it on the resnet50 .om converted above.
prefix=$root/out/kiln-toolkit
echo
echo "=== AscendCL: install to $prefix, build samples/cpp/classification_sync against it, run it on $out/resnet50.om"
echo "\$ cmake --install build --prefix $prefix && source $prefix/set_env.sh"
if cmake --install build --prefix "$prefix" >/dev/null; then
  /usr/bin/python3 -c "import numpy as np; np.load('models/torch/resnet50_op17/inputs/input.npy').astype(np.float32).tofile('$out/resnet50_input.bin')"
  (
    . "$prefix/set_env.sh" &&
      echo "\$ cmake -S samples/cpp/classification_sync -B $out/sample_sync && cmake --build $out/sample_sync" &&
      cmake -S samples/cpp/classification_sync -B "$out/sample_sync" -DCMAKE_BUILD_TYPE=Release >/dev/null &&
      cmake --build "$out/sample_sync" -j2 >/dev/null &&
      echo "\$ $out/sample_sync/main --model $out/resnet50.om $out/resnet50_input.bin" &&
      "$out/sample_sync/main" --model "$out/resnet50.om" "$out/resnet50_input.bin"
  ) || status=1
else
  status=1
fi
echo
[ $status -eq 0 ] && echo "demo: all models converted and ran" || echo "demo: some models failed (see the errors above)"
exit $status
