#!/usr/bin/python3
"""Generate models with ONNX model-local functions (ModelProto.functions) into OUT_DIR.

    /usr/bin/python3 make_function_models.py OUT_DIR

Each runnable model M gets OUT_DIR/M.onnx, OUT_DIR/M_in/X.npy and OUT_DIR/M_expected/<output>.npy
(numpy-computed). Models:

twice      local.AddMul(a, b) = (a + b) * a, called twice (same body value names in both calls)
attr       local.Leaky(x) = LeakyRelu(x, alpha=@alpha): called with alpha=0.2 and without it
           (attribute dropped -> LeakyRelu's default 0.01); local.Two(x) -> (x+1, x*2) called
           with its second output omitted
nested     local.Outer(x) = Inner(Inner(x)) + x, local.Inner(x) = x * x - 1; Outer is also called
           inside an If branch (subgraph)
recursive  local.A calls local.B calls local.A (load error)
opset_mismatch  a function importing opset 12 in a model importing opset 13 (load error)
"""
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

out = sys.argv[1]
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)

D = "local"
OPS = [helper.make_opsetid("", 13), helper.make_opsetid(D, 1)]
x = (np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5) * 0.75


def fn(name, inputs, outputs, nodes, attributes=(), opset=13):
    return helper.make_function(D, name, inputs, outputs, nodes, [helper.make_opsetid("", opset)],
                                list(attributes))


def save(name, nodes, outputs, functions, expected=None, check=True):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 3])],
                          [helper.make_tensor_value_info(o, TensorProto.FLOAT, [2, 3]) for o in outputs])
    m = helper.make_model(g, opset_imports=OPS, functions=functions, producer_name="kiln-tests")
    if check:
        onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, name + ".onnx"))
    if expected is not None:
        os.makedirs(os.path.join(out, name + "_in"))
        os.makedirs(os.path.join(out, name + "_expected"))
        np.save(os.path.join(out, name + "_in", "X.npy"), x)
        for k, v in expected.items():
            np.save(os.path.join(out, name + "_expected", k + ".npy"), v.astype(np.float32))


# twice: one function used twice; both calls define body value 't'.
add_mul = fn("AddMul", ["a", "b"], ["c"],
             [helper.make_node("Add", ["a", "b"], ["t"]), helper.make_node("Mul", ["t", "a"], ["c"])])
y1 = (x + x) * x
save("twice",
     [helper.make_node("AddMul", ["X", "X"], ["Y1"], domain=D, name="call1"),
      helper.make_node("AddMul", ["Y1", "X"], ["Y"], domain=D, name="call2")],
     ["Y1", "Y"], [add_mul], {"Y1": y1, "Y": (y1 + x) * y1})

# attr: attribute reference, given and not given; an omitted trailing output.
leaky_node = helper.make_node("LeakyRelu", ["x"], ["y"])
leaky_node.attribute.append(helper.make_attribute("alpha", 0.0))
leaky_node.attribute[0].ClearField("f")
leaky_node.attribute[0].ref_attr_name = "alpha"
leaky = fn("Leaky", ["x"], ["y"], [leaky_node], attributes=["alpha"])
one = helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])
two = helper.make_tensor("two", TensorProto.FLOAT, [], [2.0])
two_out = fn("Two", ["x"], ["p", "q"],
             [helper.make_node("Constant", [], ["c1"], value=one), helper.make_node("Constant", [], ["c2"], value=two),
              helper.make_node("Add", ["x", "c1"], ["p"]), helper.make_node("Mul", ["x", "c2"], ["q"])])
save("attr",
     [helper.make_node("Leaky", ["X"], ["A"], domain=D, alpha=0.2),
      helper.make_node("Leaky", ["X"], ["B"], domain=D),
      helper.make_node("Two", ["X"], ["P"], domain=D)],
     ["A", "B", "P"], [leaky, two_out],
     {"A": np.where(x >= 0, x, 0.2 * x), "B": np.where(x >= 0, x, 0.01 * x), "P": x + 1})

# nested: a function calling a function, also used inside an If branch.
inner = fn("Inner", ["x"], ["y"],
           [helper.make_node("Constant", [], ["one"], value=one), helper.make_node("Mul", ["x", "x"], ["sq"]),
            helper.make_node("Sub", ["sq", "one"], ["y"])])
outer = fn("Outer", ["x"], ["y"],
           [helper.make_node("Inner", ["x"], ["i1"], domain=D), helper.make_node("Inner", ["i1"], ["i2"], domain=D),
            helper.make_node("Add", ["i2", "x"], ["y"])])
then_g = helper.make_graph([helper.make_node("Outer", ["X"], ["t_out"], domain=D)], "then", [],
                           [helper.make_tensor_value_info("t_out", TensorProto.FLOAT, [2, 3])])
else_g = helper.make_graph([helper.make_node("Neg", ["X"], ["e_out"])], "else", [],
                           [helper.make_tensor_value_info("e_out", TensorProto.FLOAT, [2, 3])])
cond = helper.make_tensor("cond", TensorProto.BOOL, [], [True])


def inner_np(v):
    return v * v - 1


o = inner_np(inner_np(x)) + x
save("nested",
     [helper.make_node("Outer", ["X"], ["Y"], domain=D, name="outer_call"),
      helper.make_node("Constant", [], ["C"], value=cond),
      helper.make_node("If", ["C"], ["Z"], then_branch=then_g, else_branch=else_g)],
     ["Y", "Z"], [inner, outer], {"Y": o, "Z": o}, check=False)

# recursive: A -> B -> A.
fa = fn("A", ["x"], ["y"], [helper.make_node("B", ["x"], ["y"], domain=D)])
fb = fn("B", ["x"], ["y"], [helper.make_node("A", ["x"], ["y"], domain=D)])
save("recursive", [helper.make_node("A", ["X"], ["Y"], domain=D, name="rec_call")], ["Y"], [fa, fb], check=False)

# opset_mismatch: the function imports opset 12, the model 13.
old = fn("Old", ["x"], ["y"], [helper.make_node("Relu", ["x"], ["y"])], opset=12)
save("opset_mismatch", [helper.make_node("Old", ["X"], ["Y"], domain=D, name="old_call")], ["Y"], [old],
     check=False)
print("wrote function models to", out)
