#!/usr/bin/python3
"""End-to-end checks of `atc` / `kiln convert` and of .om files in `kiln info/run` (spec atc-cli.md).

  atc_cli_test.py unit   KILN OUT_DIR TINY_ONNX          fast: the generated tiny model
  atc_cli_test.py models KILN OUT_DIR MODELS_DIR CONFIGS  real models (resnet50, resnet18_dynbatch)

KILN is the kiln binary; `atc` is the link next to it. Every check prints what it ran; the first
failure ends the script with a non-zero status.
"""
import json
import os
import re
import subprocess
import sys

import numpy as np

FAIL_LINE = "ATC run failed, Please check the detail log, Try 'atc --help' for more information"
START_LINE = "ATC start working now, please wait for a moment."
SUCCESS_LINE = "ATC run success, welcome to the next use."


def run(cmd, expect_rc=0):
    print("+", " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    print(p.stdout, flush=True)
    if expect_rc is not None and p.returncode != expect_rc:
        sys.exit(f"FAILED: exit status {p.returncode}, expected {expect_rc}")
    return p.stdout


def check(cond, what):
    if not cond:
        sys.exit(f"FAILED: {what}")
    print(f"ok: {what}", flush=True)


def atc_ok(atc, args):
    out = run([atc] + args, 0)
    lines = out.splitlines()
    check(lines[0] == START_LINE, "first line is the ATC start line")
    check(SUCCESS_LINE in lines, "ATC success line")
    return out


def atc_fails(atc, args, code, text=None):
    out = run([atc] + args, 255)
    lines = out.splitlines()
    check(lines[0] == START_LINE, "first line is the ATC start line")
    check(FAIL_LINE in lines, "ATC failure line")
    check(any(l.startswith(code + ":") for l in lines), f"error report {code}")
    if text:
        check(text in out, f"message names '{text}'")
    return out


def info_desc(info, section, index):
    """The `[i] name ACL_X (n) FMT dims [..] B` line of `kiln info x.om` in inputs:/outputs:."""
    block = info.split(section + ":" if section == "outputs" else "inputs (", 1)[1]
    for line in block.splitlines():
        m = re.match(r"\s+\[(\d+)\] (\S+)\s+(ACL_\w+) \((\d+)\) (\w+) dims (\[[-0-9,]*\])(?: dims_v2 \[[-0-9,]*\])? (\d+) B", line)
        if m and int(m.group(1)) == index:
            return {"name": m.group(2), "dtype": m.group(3), "format": m.group(5), "dims": m.group(6),
                    "bytes": int(m.group(7))}
    sys.exit(f"FAILED: no {section} [{index}] in kiln info output")


def compare(a_dir, b_dir, name, rtol=1e-4, atol=1e-4):
    a = np.load(os.path.join(a_dir, name + ".npy"))
    b = np.load(os.path.join(b_dir, name + ".npy"))
    check(a.shape == b.shape, f"{name}: same shape {a.shape}")
    err = np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)) / (atol + rtol * np.abs(b.astype(np.float64))))
    check(err <= 1.0, f"{name}: .om output equals the ONNX output (rtol {rtol}, atol {atol}; worst ratio {err:.3g})")


def unit_suite(kiln, out, tiny):
    atc = os.path.join(os.path.dirname(kiln), "atc")
    os.makedirs(out, exist_ok=True)
    om = os.path.join(out, "tiny")
    for f in os.listdir(out):
        os.remove(os.path.join(out, f)) if os.path.isfile(os.path.join(out, f)) else None

    # Help, errors (no file created).
    help_text = run([atc, "--help"], 0)
    check("--soc_version" in help_text, "--help prints usage")
    atc_fails(atc, ["--model=" + tiny, "--framework=0", "--output=" + om, "--soc_version=Ascend310"], "E10001",
              "framework 0 (Caffe) is not supported by this converter yet")
    atc_fails(atc, ["--model=" + tiny, "--framework=5", "--output=" + om], "E10004", "--soc_version")
    atc_fails(atc, ["--model=" + tiny, "--framework=5", "--output=" + om, "--soc_version=Ascend310", "--frobnicate=1"],
              "E10001", "unknown command line flag 'frobnicate'")
    atc_fails(atc, ["--model=" + tiny, "--framework=5", "--output=" + om, "--soc_version=Ascend310",
                    "--input_shape=X:-1,3,8,8;Z:-1,5", "--dynamic_batch_size=1.1,2"], "E10003", "digits and ','")
    atc_fails(atc, ["--model=" + tiny, "--framework=5", "--output=" + om, "--soc_version=Ascend310", "stray.onnx"],
              "E10001", "stray.onnx")
    atc_fails(atc, ["--model=" + tiny, "--framework=5", "--output=" + om, "--soc_version=Ascend310", "--mode=5"],
              "E10001", "mode 5")
    atc_fails(atc, ["--model=" + tiny, "--framework=5", "--output=" + om, "--soc_version=Ascend310",
                    "--auto_tune_mode=RL,GA"], "E10001", "AOE")
    # A conversion that fails after loading the model (X has rank 4) leaves no .om behind.
    atc_fails(atc, ["--model=" + tiny, "--framework=5", "--output=" + om, "--soc_version=Ascend310",
                    "--input_shape=X:1,3,8;Z:1,5"], "E10001", "rank 4")
    atc_fails(atc, ["--model=" + tiny, "--framework=5", "--output=" + om, "--soc_version=Ascend310"], "E10001",
              "give them with --input_shape")
    check(not os.path.exists(om + ".om"), "failed conversions left no .om")

    # Dynamic batch over both inputs, through `kiln convert` (same front end).
    out_text = run([kiln, "convert", "--model", tiny, "--framework=5", "--output=" + om, "-soc_version=Ascend310",
                    "--input_shape=X:-1,3,8,8;Z:-1,5", "--dynamic-batch-size=1,2,4", "--enable_single_stream=false"], 0)
    check(out_text.splitlines()[0] == START_LINE and SUCCESS_LINE in out_text, "kiln convert prints the ATC lines")
    check("--enable_single_stream is accepted and ignored" in out_text, "ignored option warned about")
    check(re.search(r"\[\s*[0-9.]+ s\] optimized", out_text) is not None, "progress lines with elapsed time")
    info = run([kiln, "info", om + ".om"])
    x = info_desc(info, "inputs", 0)
    check(x["dtype"] == "ACL_FLOAT" and x["format"] == "NCHW" and x["dims"] == "[-1,3,8,8]" and x["bytes"] == 4 * 3 * 8 * 8 * 4,
          "input X: float NCHW [-1,3,8,8], size at the largest gear (4)")
    g = info_desc(info, "inputs", 2)
    check(g["name"] == "ascend_mbatch_shape_data" and g["dtype"] == "ACL_INT32" and g["dims"] == "[1]" and g["bytes"] == 4,
          "extra input ascend_mbatch_shape_data int32 [1]")
    y = info_desc(info, "outputs", 0)
    check(y["dims"] == "[-1,5]" and y["bytes"] == 4 * 5 * 4, "output Y: [-1,5], 80 B at batch 4")
    check(re.search(r"gear 1\s+\[2\]\s+outputs \[2,5\]", info) is not None, "output dims per gear recorded")

    # Same outputs as the ONNX model at a chosen gear; a gear that is not stored is refused.
    run([kiln, "run", "--model", om + ".om", "--dymBatch", "2", "--seed", "7", "--output-dir", out + "/om_b2"])
    run([kiln, "run", "--model", tiny, "--shapes", "X:2x3x8x8", "--shapes", "Z:2x5", "--seed", "7", "--output-dir",
         out + "/onnx_b2"])
    compare(out + "/om_b2", out + "/onnx_b2", "Y")
    bad = run([kiln, "run", "--model", om + ".om", "--dymBatch", "3"], None)
    check("is not a gear of this model" in bad and "1; 2; 4" in bad, "--dymBatch 3 refused, gears listed")

    bench = run([kiln, "bench", "--model", om + ".om", "--dymBatch", "4", "--iterations", "3", "--warmUp", "0"])
    check("gear: batch 4" in bench, "kiln bench runs the .om at a chosen gear")

    # Image-size gears (H, W of X) and dims gears (every -1, in --input_shape order).
    om_hw = os.path.join(out, "tiny_hw")
    atc_ok(atc, ["--model=" + tiny, "--output=" + om_hw, "--framework=5", "--soc_version=cpu",
                 "--input_shape=X:1,3,-1,-1;Z:1,5", "--dynamic_image_size=8,8;16,12"])
    info = run([kiln, "info", om_hw + ".om"])
    check(info_desc(info, "inputs", 0)["bytes"] == 3 * 16 * 12 * 4, "X size at the largest image gear")
    check(info_desc(info, "inputs", 2)["dims"] == "[2]", "gear input holds H,W")
    ran = run([kiln, "run", "--model", om_hw + ".om", "--dymHW", "16,12"])
    check("1x3x16x12" in ran, "kiln run --dymHW 16,12 feeds X 1x3x16x12")
    om_dims = os.path.join(out, "tiny_dims")
    atc_ok(atc, ["--model=" + tiny, "--output=" + om_dims, "--framework=5", "--soc_version=cpu", "--input_format=ND",
                 "--input_shape=X:-1,3,-1,8;Z:-1,5", "--dynamic_dims=1,8,1;2,4,2"])
    ran = run([kiln, "run", "--model", om_dims + ".om", "--dymDims", "2,4,2"])
    check("2x3x4x8" in ran and "2x5" in ran, "kiln run --dymDims 2,4,2 feeds X 2x3x4x8 and Z 2x5")
    bad = run([kiln, "run", "--model", om_dims + ".om", "--dymBatch", "2"], None)
    check("--dymDims" in bad, "the wrong gear option is refused, naming the right one")

    # --fusion_switch_file (our pass names and ATC's) and --disable_reuse_memory reach the stored model.
    switch = os.path.join(out, "fusion_switch.cfg")
    with open(switch, "w") as f:
        f.write("fuse_conv:off\nSomeNpuOnlyPass:off\n")
    om_plain = os.path.join(out, "tiny_plain")
    conv = atc_ok(atc, ["--model=" + tiny, "--output=" + om_plain, "--framework=5", "--soc_version=cpu",
                        "--input_shape=X:2,3,8,8;Z:2,5", "--fusion_switch_file=" + switch])
    check("SomeNpuOnlyPass' has no Kiln counterpart" in conv, "unknown fusion pass is a warning")
    info = run([kiln, "info", om_plain + ".om"])
    check(re.search(r"^\s+Conv\s+1$", info, re.M) is not None and "kiln.FusedConv" not in info,
          "fuse_conv:off keeps the plain Conv")
    def memory_size(path):
        return int(re.search(r"memory_size\[(\d+) B\]", run([atc, "--mode=6", "--om=" + path])).group(1))
    om_noreuse = os.path.join(out, "tiny_noreuse")
    atc_ok(atc, ["--model=" + tiny, "--output=" + om_noreuse, "--framework=5", "--soc_version=cpu",
                 "--input_shape=X:2,3,8,8;Z:2,5", "--fusion_switch_file=" + switch, "--disable_reuse_memory=1"])
    check(memory_size(om_noreuse + ".om") > memory_size(om_plain + ".om"), "--disable_reuse_memory=1 plans more memory")
    run([kiln, "run", "--model", om_noreuse + ".om", "--seed", "5", "--output-dir", out + "/noreuse"])
    run([kiln, "run", "--model", tiny, "--shapes", "X:2x3x8x8", "--shapes", "Z:2x5", "--seed", "5", "--output-dir",
         out + "/noreuse_onnx"])
    compare(out + "/noreuse", out + "/noreuse_onnx", "Y")

    # Mode 6, --display_model_info, mode 1, mode 3.
    six = atc_ok(atc, ["--mode=6", "--om=" + om + ".om"])
    check("============ Display Model Info start ============" in six and "Original Atc command line: kiln convert --model "
          in six and "soc_version[Ascend310]" in six and "============ Display Model Info end   ============" in six,
          "mode 6 block")
    js = os.path.join(out, "tiny.json")
    atc_ok(atc, ["--mode=1", "--om=" + om + ".om", "--json=" + js])
    doc = json.load(open(js))
    check(doc["atc_cmdline"].startswith("kiln convert") and len(doc["graph"]["nodes"]) > 0, "mode 1 JSON of the .om")
    atc_ok(atc, ["--mode=1", "--om=" + tiny, "--json=" + js, "--framework=5"])
    check(json.load(open(js))["inputs"][0]["name"] == "X", "mode 1 JSON of the ONNX model")
    report = os.path.join(out, "check.json")
    atc_ok(atc, ["--mode=3", "--model=" + tiny, "--framework=5", "--soc_version=Ascend310",
                 "--input_shape=X:1,3,8,8;Z:1,5", "--check_report=" + report])
    check(json.load(open(report))["result"] == "success", "mode 3 report")


def models_suite(kiln, out, models, configs):
    atc = os.path.join(os.path.dirname(kiln), "atc")
    os.makedirs(out, exist_ok=True)
    r50 = os.path.join(models, "torch/resnet50_op17")
    r18 = os.path.join(models, "torch/resnet18_dynbatch_op17")
    base = ["--framework=5", "--soc_version=Ascend310"]

    # firstapp interface.
    om = os.path.join(out, "resnet50")
    conv = atc_ok(atc, ["--model=" + r50 + "/model.onnx", "--output=" + om, "--display_model_info=1"] + base)
    check("resource info: memory_size[" in conv, "--display_model_info=1 prints the block")
    info = run([kiln, "info", om + ".om"])
    i0, o0 = info_desc(info, "inputs", 0), info_desc(info, "outputs", 0)
    check(i0["dtype"] == "ACL_FLOAT" and i0["format"] == "NCHW" and i0["dims"] == "[1,3,224,224]" and i0["bytes"] == 602112,
          "resnet50.om input float32 NCHW [1,3,224,224] 602112 B")
    check(o0["dtype"] == "ACL_FLOAT" and o0["dims"] == "[1,1000]" and o0["bytes"] == 4000, "resnet50.om output 4000 B")
    # Same outputs as PyTorch's, through the .om.
    run([kiln, "run", "--model", om + ".om", "--input", "input=" + r50 + "/inputs/input.npy", "--output-dir", out + "/om_out"])
    compare(out + "/om_out", r50 + "/expected", "output")

    # fp16 variant.
    om16 = os.path.join(out, "resnet50_fp16")
    atc_ok(atc, ["--model=" + r50 + "/model.onnx", "--output=" + om16, "--input_format=NCHW", "--input_fp16_nodes=input",
                 "--output_type=FP32", "--out_nodes=output"] + base)
    i0 = info_desc(run([kiln, "info", om16 + ".om"]), "inputs", 0)
    check(i0["dtype"] == "ACL_FLOAT16" and i0["bytes"] == 301056, "fp16 input 301056 B")

    # AIPP (the spec's sample config): uint8 NHWC 75264 B.
    om_aipp = os.path.join(out, "resnet50_aipp")
    atc_ok(atc, ["--model=" + r50 + "/model.onnx", "--output=" + om_aipp,
                 "--insert_op_conf=" + os.path.join(configs, "aipp/yuv420sp_224_caffe.cfg")] + base)
    i0 = info_desc(run([kiln, "info", om_aipp + ".om"]), "inputs", 0)
    check(i0["dtype"] == "ACL_UINT8" and i0["format"] == "NHWC" and i0["bytes"] == 75264, "AIPP input uint8 NHWC 75264 B")
    nv12 = os.path.join(models, "aipp/nv12_224/input.npy")
    ran = run([kiln, "run", "--model", om_aipp + ".om"] + (["--input", "input=" + nv12] if os.path.exists(nv12) else []))
    check("input  input: uint8 [1x336x224x1]" in ran and "output output: float32 [1x1000]" in ran,
          "the AIPP .om runs on a raw NV12 image")

    # Dynamic batch on the model with a symbolic batch.
    om18 = os.path.join(out, "resnet18_dyn")
    atc_ok(atc, ["--model=" + r18 + "/model.onnx", "--output=" + om18, "--input_shape=input:-1,3,224,224",
                 "--dynamic_batch_size=1,2,4,8"] + base)
    info = run([kiln, "info", om18 + ".om"])
    i0, g, o0 = info_desc(info, "inputs", 0), info_desc(info, "inputs", 1), info_desc(info, "outputs", 0)
    check(i0["dims"] == "[-1,3,224,224]" and i0["bytes"] == 8 * 602112, "input dims -1, size at batch 8")
    check(g["name"] == "ascend_mbatch_shape_data" and g["bytes"] == 4, "gear input")
    check(o0["bytes"] == 8 * 4000, "output size at batch 8")
    for b in (1, 2, 4, 8):
        check(re.search(rf"\[{b}\]\s+outputs \[{b},1000\]", info) is not None, f"gear {b}: output [{b},1000]")
    ran = run([kiln, "run", "--model", om18 + ".om", "--dymBatch", "2", "--seed", "3", "--output-dir", out + "/r18_om"])
    check("output [2,1000]" in ran.replace("x", ",") or "2x1000" in ran, "kiln run --dymBatch 2 gives a [2,1000] output")
    run([kiln, "run", "--model", r18 + "/model.onnx", "--shapes", "input:2x3x224x224", "--seed", "3", "--output-dir",
         out + "/r18_onnx"])
    compare(out + "/r18_om", out + "/r18_onnx", "output")


def main():
    suite, kiln, out = sys.argv[1], sys.argv[2], sys.argv[3]
    if suite == "unit":
        unit_suite(kiln, out, sys.argv[4])
    else:
        models_suite(kiln, out, sys.argv[4], sys.argv[5])
    print("all checks passed")


if __name__ == "__main__":
    main()
