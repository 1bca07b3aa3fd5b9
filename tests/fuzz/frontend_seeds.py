#!/usr/bin/env python3
"""Writes identity classifiers and short audio for make_seeds.sh's --frontend
seeds: frontend_seeds.py OUT_DIR. 1152 samples: logmel (center) [1, 16, 10],
mfcc (no centering, time_mel) [1, 8, 8]."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper


def identity(path, shape):
    size = int(np.prod(shape))
    x = helper.make_tensor_value_info("features", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, size])
    s = helper.make_tensor("s", TensorProto.INT64, [2], [1, size])
    g = helper.make_graph([helper.make_node("Reshape", ["features", "s"], ["y"])], "identity", [x],
                          [y], [s])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
identity(os.path.join(out, "identity_logmel.onnx"), [1, 16, 10])
identity(os.path.join(out, "identity_mfcc.onnx"), [1, 8, 8])
r = np.random.default_rng(0)
t = np.arange(1152) / 16000.0
audio = 0.3 * np.sin(2 * np.pi * 440 * t) + r.normal(0, 0.05, (4, 1152))
np.save(os.path.join(out, "audio.npy"), np.round(audio * 32767).astype(np.int16))
