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
import random

import numpy as np
import onnx
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
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
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    teacher = [rng.normal(size=(FEATURES, 32)), rng.normal(size=(32, CLASSES))]
    x = (rng.normal(size=(6000, FEATURES)) * rng.uniform(0.5, 2.0, size=FEATURES)).astype(np.float32)
    scores = np.tanh(x @ teacher[0] / 8.0) @ teacher[1]
    top2 = np.sort(scores, axis=1)[:, -2:]
    x = x[top2[:, 1] - top2[:, 0] > 0.5][:3000]  # a margin between classes, as real classes have
    y = (np.tanh(x @ teacher[0] / 8.0) @ teacher[1]).argmax(1).astype(np.int64)
    x_train, y_train, x_test, y_test = x[:2500], y[:2500], x[2500:2800], y[2500:2800]
    model = ActivationsMlp()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for epoch in range(100):
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 64):
            idx = perm[i:i + 64]
            opt.zero_grad()
            nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy()
    print(f"test accuracy {100 * (logits.argmax(1) == y_test).mean():.2f}% on {len(y_test)} rows")
    path = os.path.join(HERE, "activations_mlp.onnx")
    torch.onnx.export(model, torch.from_numpy(x_test[:1]), path, opset_version=13, input_names=["x"],
                      output_names=["logits"], dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))
    print("ops:", sorted({n.op_type for n in onnx.load(path).graph.node}))
    np.save(os.path.join(HERE, "calib.npy"), x_train[rng.choice(len(x_train), 200, replace=False)])
    np.save(os.path.join(HERE, "test_x.npy"), x_test)
    np.save(os.path.join(HERE, "test_y.npy"), y_test)
    np.save(os.path.join(HERE, "torch_logits.npy"), logits.astype(np.float32))


if __name__ == "__main__":
    main()
