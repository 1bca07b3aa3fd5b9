#!/usr/bin/env -S /usr/bin/python3
"""Trains a small CNN on scikit-learn's 8x8 digits with PyTorch and exports ONNX.

It exercises what CNNs on microcontrollers use: Conv + BatchNorm + ReLU,
a depthwise convolution, a residual block, max and global average pooling.
Writes, beside this script: digits_cnn.onnx, calib.npy (200 training images),
test_x.npy [N,1,8,8] float32, test_y.npy int64 and torch_logits.npy.
Run with Debian's interpreter: /usr/bin/python3 models/digits_cnn/train.py
"""
import os
import random

import numpy as np
import onnx
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0


def conv_bn(cin, cout, k, stride=1, groups=1):
    return [nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout)]


class DigitsCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn(1, 16, 3), nn.ReLU())                        # 16x8x8
        self.dw = nn.Sequential(*conv_bn(16, 16, 3, stride=2, groups=16), nn.ReLU())   # depthwise, 16x4x4
        self.pw = nn.Sequential(*conv_bn(16, 32, 1), nn.ReLU())                        # 32x4x4
        self.res = nn.Sequential(*conv_bn(32, 32, 3), nn.ReLU(), *conv_bn(32, 32, 3))  # residual branch
        self.pool = nn.MaxPool2d(2)                                                    # 32x2x2
        self.head = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pw(self.dw(self.stem(x)))
        x = torch.relu(x + self.res(x))
        x = self.pool(x)
        x = torch.mean(x, dim=(2, 3))  # global average pool
        return self.head(x)


def main():
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)
    model = DigitsCnn()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for epoch in range(40):
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy()
    acc = (logits.argmax(1) == y_test).mean()
    print(f"test accuracy {100 * acc:.2f}% on {len(y_test)} digits")
    path = os.path.join(HERE, "digits_cnn.onnx")
    torch.onnx.export(model, torch.from_numpy(x_test[:1]), path, opset_version=13, input_names=["x"],
                      output_names=["logits"], dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))
    print("ops:", sorted({n.op_type for n in onnx.load(path).graph.node}))
    rng = np.random.default_rng(1234)
    np.save(os.path.join(HERE, "calib.npy"), x_train[rng.choice(len(x_train), 200, replace=False)])
    np.save(os.path.join(HERE, "test_x.npy"), x_test)
    np.save(os.path.join(HERE, "test_y.npy"), y_test)
    np.save(os.path.join(HERE, "torch_logits.npy"), logits.astype(np.float32))


if __name__ == "__main__":
    main()
