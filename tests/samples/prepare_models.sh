#!/usr/bin/env bash
# prepare_models.sh PREFIX MODELS_DIR OUT: what a user of the samples does first — convert the
# models with the installed `atc` and turn the preprocessed pictures into .bin files.
#   OUT/model/resnet50.om            resnet50 (torchvision, opset 17), static 1x3x224x224
#   OUT/model/resnet18_dynbatch.om   resnet18 with batch gears 1,2,4,8
#   OUT/data/resnet50_input.bin      the resnet50 test picture, float32 NCHW
#   OUT/data/picture{0,1}.bin        the two resnet18 test pictures
set -euo pipefail
prefix=$1 models=$2 out=$3
mkdir -p "$out/model" "$out/data"
. "$prefix/set_env.sh"
atc --model="$models/torch/resnet50_op17/model.onnx" --framework=5 --soc_version=Ascend310 \
    --output="$out/model/resnet50" >/dev/null
atc --model="$models/torch/resnet18_dynbatch_op17/model.onnx" --framework=5 --soc_version=Ascend310 \
    --input_shape="input:-1,3,224,224" --dynamic_batch_size="1,2,4,8" --output="$out/model/resnet18_dynbatch" >/dev/null
/usr/bin/python3 - "$models" "$out/data" <<'PY'
import sys
import numpy as np
models, data = sys.argv[1], sys.argv[2]
np.load(f"{models}/torch/resnet50_op17/inputs/input.npy").astype(np.float32).tofile(f"{data}/resnet50_input.bin")
pics = np.load(f"{models}/torch/resnet18_dynbatch_op17/inputs/input.npy").astype(np.float32)
for i, p in enumerate(pics):
    p.tofile(f"{data}/picture{i}.bin")
PY
echo "prepare_models: $(ls "$out/model" "$out/data" | tr '\n' ' ')"
