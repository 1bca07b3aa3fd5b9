#!/usr/bin/env python3
"""Writes small ONNX models of the ops modelc decomposes before lowering
(Einsum, 3-D Conv) and of shape arithmetic (Size, integer ReduceProd) for
make_seeds.sh, so fuzz_onnx_import starts from their parsers and passes:
graph_seeds.py OUT_DIR."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def save(path, nodes, inits, inputs, opset=13):
    ins = [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs]
    g = helper.make_graph(nodes, "seed", ins, [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                          inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)]), path)


rng = np.random.RandomState(0)
w = lambda name, *shape: numpy_helper.from_array(rng.randn(*shape).astype(np.float32), name)  # noqa: E731
out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, eq, shapes in [("attention", "bhid,bhjd->bhij", [[1, 2, 5, 4], [1, 2, 5, 4]]),
                         ("ellipsis", "...ij,...kj->...ik", [[2, 3, 4], [2, 5, 4]]),
                         ("implicit", "bij,bjk", [[2, 3, 4], [2, 4, 5]]),
                         ("reduce", "bij->b", [[2, 3, 4]]),
                         ("outer", "bi,bj->bij", [[2, 3], [2, 4]])]:
    inputs = [("x%d" % k, s) for k, s in enumerate(shapes)]
    save(os.path.join(out, "einsum_%s.onnx" % name),
         [helper.make_node("Einsum", [n for n, _ in inputs], ["y"], equation=eq)], [], inputs)
save(os.path.join(out, "einsum_weight.onnx"),
     [helper.make_node("Einsum", ["x", "w"], ["y"], equation="bij,jk->bik")], [w("w", 4, 6)], [("x", [2, 5, 4])])
save(os.path.join(out, "conv3d.onnx"), [
    helper.make_node("Conv", ["x", "w", "b"], ["h"], strides=[2, 1, 2], pads=[1, 1, 1, 1, 1, 1], group=2,
                     dilations=[1, 2, 1]),
    helper.make_node("Relu", ["h"], ["y"])], [w("w", 4, 1, 3, 3, 3), w("b", 4)], [("x", [1, 2, 5, 7, 6])])
save(os.path.join(out, "conv3d_same.onnx"),
     [helper.make_node("Conv", ["x", "w"], ["y"], auto_pad="SAME_UPPER")], [w("w", 3, 2, 2, 3, 1)],
     [("x", [1, 2, 4, 5, 6])])
save(os.path.join(out, "variance.onnx"), [
    helper.make_node("Shape", ["x"], ["s"]),
    helper.make_node("Gather", ["s", "one"], ["n1"], axis=0),
    helper.make_node("ReduceProd", ["n1"], ["n"], keepdims=0),
    helper.make_node("Size", ["x"], ["total"]),
    helper.make_node("Cast", ["n"], ["nf"], to=TensorProto.FLOAT),
    helper.make_node("Cast", ["total"], ["tf"], to=TensorProto.FLOAT),
    helper.make_node("ReduceMean", ["x"], ["m"], axes=[1]),
    helper.make_node("Sub", ["x", "m"], ["d"]),
    helper.make_node("Mul", ["d", "nf"], ["e"]),
    helper.make_node("Div", ["e", "tf"], ["y"])],
    [numpy_helper.from_array(np.array([1], np.int64), "one")], [("x", [2, 6])])
