#!/usr/bin/env -S /usr/bin/python3
"""Trains an MLP built from the activation functions modern networks use and exports ONNX.

A hidden layer feeds thirteen branches, each a Linear with a different
activation, concatenated into the classifier, as PyTorch 1.13 exports them at
opset 13: ELU, SELU, CELU, Softplus, GELU (the Erf form), GELU (tanh form),
Mish (Softplus, Tanh, Mul), SiLU (Sigmoid, Mul), Hardsigmoid, Hardswish,
Softsign, PReLU (per channel and scalar), and an input transform with Abs, Log, Reciprocal, Exp, Sqrt, Neg.
The task: 6 classes labelled by a random teacher network on 16 features
(rows closer than 0.5 to the teacher's decision boundary left out).

Writes, beside this script: activations_mlp.onnx, calib.npy (200 training
rows), test_x.npy [N,16] float32, test_y.npy int64 and torch_logits.npy.
Run with Debian's interpreter: /usr/bin/python3 models/activations_mlp/train.py
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
FEATURES, CLASSES, WIDTH, BRANCH = 16, 6, 64, 16


class ActivationsMlp(nn.Module):
    def __init__(self):
        super().__init__()
        acts = [nn.ELU(), nn.SELU(), nn.CELU(alpha=0.7), nn.Softplus(), nn.GELU(), nn.GELU(approximate="tanh"),
                nn.Mish(), nn.SiLU(), nn.Hardsigmoid(), nn.Hardswish(), nn.Softsign(), nn.PReLU(BRANCH),
                nn.PReLU()]
        self.inp = nn.Linear(3 * FEATURES, WIDTH)
        self.hidden = nn.ModuleList(nn.Linear(WIDTH, BRANCH) for _ in acts)
        self.acts = nn.ModuleList(acts)
        self.out = nn.Linear(BRANCH * len(acts), CLASSES)

    def forward(self, x):
        mag = torch.log(1.0 + torch.abs(x))          # Abs, Add, Log
        damp = torch.reciprocal(1.0 + torch.sqrt(torch.abs(x)))  # Abs, Sqrt, Add, Reciprocal
        bump = torch.exp(-(x * x))                  # Mul, Neg, Exp
        h = torch.relu(self.inp(torch.cat([mag * torch.sign(x), damp, bump], dim=1)))
        return self.out(torch.cat([act(fc(h)) for fc, act in zip(self.hidden, self.acts)], dim=1))


def main():
    train_common.seed_everything(SEED)
    rng = np.random.default_rng(SEED)
    teacher = [rng.normal(size=(FEATURES, 32)), rng.normal(size=(32, CLASSES))]
    x = (rng.normal(size=(6000, FEATURES)) * rng.uniform(0.5, 2.0, size=FEATURES)).astype(np.float32)
    scores = np.tanh(x @ teacher[0] / 8.0) @ teacher[1]
    top2 = np.sort(scores, axis=1)[:, -2:]
    x = x[top2[:, 1] - top2[:, 0] > 0.5][:3000]  # a margin between classes, as real classes have
    y = (np.tanh(x @ teacher[0] / 8.0) @ teacher[1]).argmax(1).astype(np.int64)
    x_train, y_train, x_test, y_test = x[:2500], y[:2500], x[2500:2800], y[2500:2800]
    model = ActivationsMlp()
    train_common.train_classifier(model, x_train, y_train, epochs=100, batch=64, lr=2e-3)
    train_common.export_classifier(model, HERE, "activations_mlp", x_train, x_test, y_test, rng, calib_count=200,
                                   unit="rows")


if __name__ == "__main__":
    main()
