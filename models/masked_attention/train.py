#!/usr/bin/env -S /usr/bin/python3
"""Trains a tiny masked-attention classifier over variable-length sequences and exports ONNX.

The shape of a gesture or keyword classifier over padded sequences: up to 16
steps of 4 features, the steps after a sequence's length all zero. The model
finds the padding itself (x.abs().sum(-1) > 0: Greater), runs one causal
self-attention head whose scores are masked where the key is padding or in
the future (causal constant | ~valid: Or, Not; masked_fill: Where), zeroes
the padded outputs (torch.where), and pools them two ways: a running mean
(torch.cumsum of the outputs and of valid.float(): CumSum, Cast) read at
the last step, and top-3 pooling over time (torch.topk values: TopK). The
class is which of four motifs (3-step feature patterns) occurs somewhere
inside the sequence, among noise and a distractor step.

The masked scores are set to -30, not -inf: softmax gives them the same
weight (e^-30 ~ 1e-13), and the scores stay a finite range an int8 model
can quantize.

Writes, beside this script: masked_attention.onnx (opset 13), calib.npy (64
training sequences), test_x.npy [N,16,4] float32, test_y.npy int64 and
torch_logits.npy. Run with Debian's interpreter:
/usr/bin/python3 models/masked_attention/train.py
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep models/ free of __pycache__
sys.path.insert(0, os.path.dirname(HERE))
import train_common  # noqa: E402  (models/train_common.py)

SEED = 0
STEPS, FEATURES, CLASSES, WIDTH, TOP = 16, 4, 4, 16, 3
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
        length = rng.integers(6, STEPS + 1)
        at = rng.integers(0, length - 2)
        x[i, at:at + 3] += 1.5 * MOTIFS[label]
        other = rng.integers(0, length)  # a distractor step of one motif's first row
        x[i, other] += 1.5 * MOTIFS[rng.integers(0, CLASSES), 0]
        x[i, length:] = 0.0  # padding
    return x, y.astype(np.int64)


class MaskedAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Linear(FEATURES, WIDTH)
        self.q = nn.Linear(WIDTH, WIDTH)
        self.k = nn.Linear(WIDTH, WIDTH)
        self.v = nn.Linear(WIDTH, WIDTH)
        self.head = nn.Linear(WIDTH * (1 + TOP), CLASSES)
        self.register_buffer("future", torch.triu(torch.ones(STEPS, STEPS, dtype=torch.bool), 1))

    def forward(self, x):
        valid = x.abs().sum(-1) > 0                                  # [N, T]
        h = torch.relu(self.embed(x))
        scores = self.q(h) @ self.k(h).transpose(1, 2) / WIDTH ** 0.5
        hidden = self.future | ~valid[:, None, :]                    # key in the future or padding
        scores = scores.masked_fill(hidden, -30.0)
        a = torch.softmax(scores, -1) @ self.v(h)                    # [N, T, W]
        a = torch.where(valid[:, :, None], a, torch.zeros_like(a))
        total = torch.cumsum(a, dim=1)[:, -1]                        # [N, W]
        count = torch.cumsum(valid.float(), dim=1)[:, -1:]           # [N, 1]
        mean = total / count.clamp(min=1.0)
        top = torch.topk(a, TOP, dim=1).values.flatten(1)            # [N, TOP * W]
        return self.head(torch.cat([mean, top], 1))


def main():
    train_common.seed_everything(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = dataset(rng, 6000)
    x_test, y_test = dataset(rng, 200)
    model = MaskedAttention()
    train_common.train_classifier(model, x_train, y_train, epochs=25, batch=64, lr=3e-3)
    train_common.export_classifier(model, HERE, "masked_attention", x_train, x_test, y_test, rng, 64,
                                   "sequences")


if __name__ == "__main__":
    main()
