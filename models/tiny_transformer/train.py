#!/usr/bin/env -S /usr/bin/python3
"""Trains a tiny transformer encoder on a synthetic sequence task and exports ONNX.

The shape of a keyword or gesture classifier over a short token sequence: 16
steps of 4 features, a linear embedding plus a learned position embedding,
one nn.TransformerEncoderLayer (d_model 32, 2 heads, feed-forward 64, ReLU,
post-norm, batch_first), and a linear head over the flattened sequence. The
class is which of four motifs (3-step feature patterns) occurs in the
sequence, at a random position among noise and a distractor step, so the
encoder has to look across steps.

Writes, beside this script: tiny_transformer.onnx (opset 13: LayerNorm as
ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add), tiny_transformer_opset17.onnx (the same
weights, LayerNormalization), calib.npy (64 training sequences), test_x.npy
[N,16,4] float32, test_y.npy int64 and torch_logits.npy. Run with Debian's
interpreter: /usr/bin/python3 models/tiny_transformer/train.py
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep models/ free of __pycache__
sys.path.insert(0, os.path.dirname(HERE))
import train_common  # noqa: E402  (models/train_common.py)
SEED = 0
STEPS, FEATURES, CLASSES = 16, 4, 4
MOTIFS = np.array([
    [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]],
    [[0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0]],
    [[1, 0, 0, 1], [1, 0, 0, 1], [0, 1, 1, 0]],
    [[0, 1, 1, 0], [1, 0, 0, 1], [1, 0, 0, 1]],
], np.float32)


def dataset(rng, n):
    y = rng.integers(0, CLASSES, size=n)
    x = rng.normal(scale=0.3, size=(n, STEPS, FEATURES)).astype(np.float32)
    for i, label in enumerate(y):
        at = rng.integers(0, STEPS - 3)
        x[i, at:at + 3] += 1.5 * MOTIFS[label]
        other = rng.integers(0, STEPS)  # a distractor step of one motif's first row
        x[i, other] += 1.5 * MOTIFS[rng.integers(0, CLASSES), 0]
    return x, y.astype(np.int64)


class TinyTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(FEATURES, 32)
        self.position = nn.Parameter(torch.zeros(1, STEPS, 32))
        self.enc = nn.TransformerEncoderLayer(32, 2, 64, dropout=0.0, batch_first=True)
        self.head = nn.Linear(STEPS * 32, CLASSES)

    def forward(self, x):
        h = self.enc(self.embed(x) + self.position)
        return self.head(h.flatten(1))


def main():
    train_common.seed_everything(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = dataset(rng, 6000)
    x_test, y_test = dataset(rng, 200)
    model = TinyTransformer()
    train_common.train_classifier(model, x_train, y_train, epochs=25, batch=64, lr=2e-3)
    train_common.export_classifier(model, HERE, "tiny_transformer", x_train, x_test, y_test, rng, 64,
                                   "sequences")
    path = os.path.join(HERE, "tiny_transformer_opset17.onnx")
    torch.onnx.export(model, torch.from_numpy(x_test[:1]), path, opset_version=17, input_names=["x"],
                      output_names=["logits"], dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))
    print("opset 17 ops:", sorted({n.op_type for n in onnx.load(path).graph.node}))


if __name__ == "__main__":
    main()
