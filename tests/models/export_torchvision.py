#!/usr/bin/python3
"""Export the torchvision test models and PyTorch's reference outputs.

Run with Debian's Python (python3-torch 1.13, python3-torchvision 0.14, python3-onnx 1.12):
    /usr/bin/python3 tests/models/export_torchvision.py OUT_DIR

For every model and opset (13 and 17) writes OUT_DIR/<name>_op<opset>/ with
  model.onnx            random weights, torch.manual_seed(0), eval mode
  inputs/<input>.npy    the input fed to PyTorch (fixed seed)
  expected/<output>.npy PyTorch's output for that input, computed in float64 and rounded once to
                        float32 (the reference: float32 engines differ from the exact result by
                        up to ~4e-5 on ResNet-50 logits, more than the test's atol of 1e-5)
  expected_fp32/<output>.npy  PyTorch's plain float32 output, kept for reporting
No pretrained weights can be downloaded here, so BatchNorm running statistics are calibrated on a
few N(0,1) batches first: activations then stay O(1) as in a trained net, which keeps the
rtol/atol comparison meaningful (random BN stats make logits explode or vanish).
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torchvision

OPSETS = (13, 17)
# name, constructor, batch fed at test time, dynamic batch axis
MODELS = [
    ("resnet50", torchvision.models.resnet50, 1, False),
    ("mobilenet_v2", torchvision.models.mobilenet_v2, 1, False),
    # Exported with batch 1 and a symbolic batch dim; tested with batch 2 so the dynamic
    # dimension is really exercised.
    ("resnet18_dynbatch", torchvision.models.resnet18, 2, True),
]


def calibrate_bn(model, shape, steps=4):
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    for m in bns:
        m.reset_running_stats()
        m.momentum = None  # cumulative average
    model.train()
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for _ in range(steps):
            model(torch.randn(*shape, generator=g))
    model.eval()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "models/torch"
    os.makedirs(out, exist_ok=True)
    for name, ctor, batch, dynamic in MODELS:
        torch.manual_seed(0)
        model = ctor(weights=None)
        calibrate_bn(model, (8, 3, 224, 224))
        model.eval()
        x = torch.from_numpy(np.random.RandomState(42).randn(batch, 3, 224, 224).astype(np.float32))
        with torch.no_grad():
            y32 = model(x).numpy()
        exports = []
        for opset in OPSETS:
            d = os.path.join(out, f"{name}_op{opset}")
            os.makedirs(os.path.join(d, "inputs"), exist_ok=True)
            os.makedirs(os.path.join(d, "expected"), exist_ok=True)
            path = os.path.join(d, "model.onnx")
            dyn = {"input": {0: "batch"}, "output": {0: "batch"}} if dynamic else None
            with torch.no_grad():
                torch.onnx.export(model, torch.zeros(1 if dynamic else batch, 3, 224, 224), path,
                                  opset_version=opset, do_constant_folding=True,
                                  input_names=["input"], output_names=["output"], dynamic_axes=dyn)
            onnx.checker.check_model(path)
            np.save(os.path.join(d, "inputs", "input.npy"), x.numpy())
            os.makedirs(os.path.join(d, "expected_fp32"), exist_ok=True)
            np.save(os.path.join(d, "expected_fp32", "output.npy"), y32)
            exports.append(d)
            with open(os.path.join(d, "reference.txt"), "w") as f:
                f.write(f"PyTorch {torch.__version__} eager in float64, torchvision {torchvision.__version__} "
                        f"{ctor.__name__}(weights=None) seed 0, input N(0,1) seed 42 shape {list(x.shape)}\n")
            print(f"exported {path} ({os.path.getsize(path) / 1e6:.1f} MB), output {list(y32.shape)} "
                  f"std {y32.std():.3g}", flush=True)
        # The same weights in float64 (after export: .double() converts the module in place).
        with torch.no_grad():
            y = model.double()(x.double()).numpy().astype(np.float32)
        for d in exports:
            np.save(os.path.join(d, "expected", "output.npy"), y)
        print(f"{name}: PyTorch float32 vs float64 max|diff| {np.abs(y32 - y).max():.3g}", flush=True)


if __name__ == "__main__":
    main()
