#!/usr/bin/python3
"""Generate the small models for the error-handling and external-data tests into OUT_DIR.

    /usr/bin/python3 make_test_models.py OUT_DIR

good.onnx            X float[1,3] -> Identity -> Y, plus a weight W float[2,2] -> Identity -> W_out
truncated.onnx       good.onnx cut in the middle of its initializer
corrupted.onnx       good.onnx with bytes overwritten by garbage
not_onnx.onnx        a text file
missing_external.onnx  W stored as external data in a file that does not exist
unsupported_op.onnx  a node 'Frobnicate' in domain com.example
huge_dims_*.onnx     W claims dims [2^36] (256 GiB) but stores 4 floats (float_data / raw_data)
input_*.npy          right and wrong inputs for good.onnx (dtype, rank, shape)
external/small.onnx  save_as_external_data: W (64x64 floats) in small.onnx.data; expected_small/W_out.npy holds the values
external/big.onnx    two initializers in one 2.4 GB *sparse* file (os.truncate: no disk, no time):
                     W_big float[600000000] at offset 0, W_tail float[4] at offset 2400002048 (> 2 GiB)
                     whose values are really written; expected_big/W_tail_out.npy holds them.
"""
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
shutil.rmtree(out, ignore_errors=True)  # onnx appends to an existing external data file
os.makedirs(os.path.join(out, "external"))


def model(nodes, inputs, outputs, inits=(), domains=()):
    g = helper.make_graph(nodes, "test", inputs, outputs, list(inits))
    opsets = [helper.make_opsetid("", 13)] + [helper.make_opsetid(d, 1) for d in domains]
    return helper.make_model(g, opset_imports=opsets, producer_name="kiln-tests")


x_info = helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, 3])
y_info = helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, 3])
w_out = helper.make_tensor_value_info("W_out", TensorProto.FLOAT, [2, 2])
w = numpy_helper.from_array(np.arange(4, dtype=np.float32).reshape(2, 2), "W")
good = model([helper.make_node("Identity", ["X"], ["Y"]), helper.make_node("Identity", ["W"], ["W_out"])],
             [x_info], [y_info, w_out], [w])
onnx.checker.check_model(good)
onnx.save(good, os.path.join(out, "good.onnx"))
raw = good.SerializeToString()
with open(os.path.join(out, "truncated.onnx"), "wb") as f:
    f.write(raw[: len(raw) // 2])
bad = bytearray(raw)
rs = np.random.RandomState(7)
for i in range(8, len(bad), 7):
    bad[i] = rs.randint(0, 256)
with open(os.path.join(out, "corrupted.onnx"), "wb") as f:
    f.write(bytes(bad))
with open(os.path.join(out, "not_onnx.onnx"), "w") as f:
    f.write("this is not a protobuf, just some text\n" * 4)

ext = onnx.TensorProto()
ext.CopyFrom(w)
ext.ClearField("raw_data")
ext.data_location = TensorProto.EXTERNAL
for k, v in (("location", "weights_that_do_not_exist.bin"), ("offset", "0"), ("length", "16")):
    e = ext.external_data.add()
    e.key, e.value = k, v
onnx.save(model([helper.make_node("Identity", ["W"], ["W_out"])], [], [w_out], [ext]),
          os.path.join(out, "missing_external.onnx"))

onnx.save(model([helper.make_node("Frobnicate", ["X"], ["Y"], domain="com.example")], [x_info], [y_info],
                domains=["com.example"]), os.path.join(out, "unsupported_op.onnx"))

# Dims that claim far more values than the model stores: rejected before any allocation.
for field in ("float_data", "raw_data"):
    huge = TensorProto()
    huge.name, huge.data_type = "W", TensorProto.FLOAT
    huge.dims.append(1 << 36)
    if field == "float_data":
        huge.float_data.extend([1.0, 2.0, 3.0, 4.0])
    else:
        huge.raw_data = np.ones(4, np.float32).tobytes()
    onnx.save(model([helper.make_node("Identity", ["W"], ["W_out"])], [], [w_out], [huge]),
              os.path.join(out, f"huge_dims_{field}.onnx"))

np.save(os.path.join(out, "input_ok.npy"), np.ones((1, 3), np.float32))
np.save(os.path.join(out, "input_int32.npy"), np.ones((1, 3), np.int32))
np.save(os.path.join(out, "input_rank1.npy"), np.ones((3,), np.float32))
np.save(os.path.join(out, "input_1x4.npy"), np.ones((1, 4), np.float32))
with open(os.path.join(out, "input_garbage.npy"), "wb") as f:
    f.write(b"\x93NUMPY garbage")

# Small model with external data written by onnx itself.
d = os.path.join(out, "external")
ws = np.random.RandomState(3).randn(64, 64).astype(np.float32)
small = model([helper.make_node("Identity", ["W"], ["W_out"])], [],
              [helper.make_tensor_value_info("W_out", TensorProto.FLOAT, [64, 64])],
              [numpy_helper.from_array(ws, "W")])
onnx.external_data_helper.convert_model_to_external_data(small, all_tensors_to_one_file=True,
                                                         location="small.onnx.data", size_threshold=0)
onnx.save(small, os.path.join(d, "small.onnx"))
os.makedirs(os.path.join(d, "expected_small"), exist_ok=True)
np.save(os.path.join(d, "expected_small", "W_out.npy"), ws)
assert os.path.getsize(os.path.join(d, "small.onnx.data")) == ws.nbytes

# > 2 GiB of external weights in a sparse file.
n_big = 600_000_000
tail_offset = n_big * 4 + 2048
tail = np.array([1.5, -2.25, 3.0, 1e-3], np.float32)
big_file = os.path.join(d, "big.bin")
with open(big_file, "wb") as f:
    f.truncate(tail_offset + tail.nbytes)
    f.seek(tail_offset)
    f.write(tail.tobytes())


def external(name, dims, offset, length):
    t = TensorProto()
    t.name, t.data_type = name, TensorProto.FLOAT
    t.dims.extend(dims)
    t.data_location = TensorProto.EXTERNAL
    for k, v in (("location", "big.bin"), ("offset", str(offset)), ("length", str(length))):
        e = t.external_data.add()
        e.key, e.value = k, v
    return t


big = model([helper.make_node("Identity", ["W_tail"], ["W_tail_out"])], [],
            [helper.make_tensor_value_info("W_tail_out", TensorProto.FLOAT, [4])],
            [external("W_big", [n_big], 0, n_big * 4), external("W_tail", [4], tail_offset, tail.nbytes)])
onnx.save(big, os.path.join(d, "big.onnx"))
os.makedirs(os.path.join(d, "expected_big"), exist_ok=True)
np.save(os.path.join(d, "expected_big", "W_tail_out.npy"), tail)
st = os.stat(big_file)
print(f"big.bin: {st.st_size} bytes apparent, {st.st_blocks * 512} bytes on disk")
