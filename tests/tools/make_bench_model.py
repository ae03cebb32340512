#!/usr/bin/python3
"""Write the tiny model the `kiln bench` tests run: OUT.onnx

X float[N,3,8,8] -> Conv(4, 3x3, pad 1) -> Relu -> GlobalAveragePool -> Flatten -> MatMul W[4,5]
  -> Add Z float[N,5] -> Y float[N,5]
Both inputs have a symbolic batch N, so the tests exercise --shapes (one option per input and
trtexec's comma-separated list).
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rs = np.random.RandomState(0)
w_conv = numpy_helper.from_array(rs.randn(4, 3, 3, 3).astype(np.float32), "Wc")
b_conv = numpy_helper.from_array(rs.randn(4).astype(np.float32), "Bc")
w_fc = numpy_helper.from_array(rs.randn(4, 5).astype(np.float32), "Wf")
nodes = [
    helper.make_node("Conv", ["X", "Wc", "Bc"], ["c"], name="conv", pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c"], ["r"], name="relu"),
    helper.make_node("GlobalAveragePool", ["r"], ["g"], name="pool"),
    helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
    helper.make_node("MatMul", ["f", "Wf"], ["m"], name="fc"),
    helper.make_node("Add", ["m", "Z"], ["Y"], name="add"),
]
graph = helper.make_graph(
    nodes, "bench_tiny",
    [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 3, 8, 8]),
     helper.make_tensor_value_info("Z", TensorProto.FLOAT, ["N", 5])],
    [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 5])],
    [w_conv, b_conv, w_fc])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="kiln-tests")
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
