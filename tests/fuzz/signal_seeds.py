#!/usr/bin/env python3
"""Writes small ONNX models of the signal ops with constant sizes for
make_seeds.sh (the node tests feed sizes as graph inputs, which the importer
refuses, so their seeds stop there): signal_seeds.py OUT_DIR."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def const(name, v, dtype):
    return numpy_helper.from_array(np.array(v, dtype=dtype), name)


def save(path, nodes, inits, shape, opset=17):
    g = helper.make_graph(nodes, "signal", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)]), path)


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
save(os.path.join(out, "signal_logmel.onnx"), [
    helper.make_node("HannWindow", ["n"], ["w"]),
    helper.make_node("STFT", ["x", "hop", "w"], ["spec"]),
    helper.make_node("Mul", ["spec", "spec"], ["sq"]),
    helper.make_node("Gather", ["sq", "zero"], ["re2"], axis=-1),
    helper.make_node("MelWeightMatrix", ["mels", "n", "rate", "lo", "hi"], ["mw"]),
    helper.make_node("MatMul", ["re2", "mw"], ["mel"]),
    helper.make_node("Add", ["mel", "one"], ["m1"]),
    helper.make_node("Log", ["m1"], ["y"])],
    [const("n", 32, np.int64), const("hop", 16, np.int64), const("zero", 0, np.int64), const("mels", 6, np.int64),
     const("rate", 8000, np.int64), const("lo", 0, np.float32), const("hi", 4000, np.float32),
     const("one", 1, np.float32)], [1, 128, 1])
save(os.path.join(out, "signal_dft_inverse.onnx"),
     [helper.make_node("DFT", ["x", "len"], ["y"], axis=2, inverse=1)], [const("len", 6, np.int64)], [1, 3, 8, 2])
save(os.path.join(out, "signal_dft_opset20.onnx"),
     [helper.make_node("DFT", ["x", "", "axis"], ["y"], onesided=1)], [const("axis", 1, np.int64)], [2, 10, 1],
     opset=20)
save(os.path.join(out, "signal_windows.onnx"), [
    helper.make_node("HammingWindow", ["n"], ["a"], periodic=0),
    helper.make_node("BlackmanWindow", ["n"], ["b"]),
    helper.make_node("Mul", ["x", "a"], ["xa"]),
    helper.make_node("Mul", ["xa", "b"], ["y"])], [const("n", 16, np.int64)], [1, 16])
