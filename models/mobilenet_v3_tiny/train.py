#!/usr/bin/env -S /usr/bin/python3
"""Trains a tiny MobileNetV3-style CNN on synthetic 16x16 images and exports ONNX.

The blocks are torchvision's MobileNetV3 ones, scaled down: a Conv-BN-Hardswish
stem, inverted residuals (expand 1x1, depthwise 3x3 or 5x5, project 1x1) with
ReLU or Hardswish, squeeze-and-excitation (global average pool, 1x1 convs,
Hardsigmoid, a channel-wise multiply broadcast over the image) and residual
adds, a Hardswish classifier. PyTorch 1.13 exports Hardswish and Hardsigmoid at
opset 13 as HardSigmoid (+ Mul). Five classes of synthetic texture (stripes at
two angles, checkers, blobs, noise) with random frequency, phase, contrast and
colour.

Writes, beside this script: mobilenet_v3_tiny.onnx, calib.npy (40 training
images), test_x.npy [N,3,16,16] float32, test_y.npy int64 and torch_logits.npy.
Run with Debian's interpreter: /usr/bin/python3 models/mobilenet_v3_tiny/train.py
"""
import os
import random

import numpy as np
import onnx
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 0
SIZE = 16


def image(rng, label):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE] / SIZE
    f = rng.uniform(2.0, 5.0)
    phase = rng.uniform(0, 2 * np.pi)
    if label == 0:
        g = np.sin(2 * np.pi * f * xx + phase)
    elif label == 1:
        g = np.sin(2 * np.pi * f * (xx + yy) / np.sqrt(2) + phase)
    elif label == 2:
        g = np.sign(np.sin(2 * np.pi * f * xx + phase) * np.sin(2 * np.pi * f * yy + phase))
    elif label == 3:
        g = np.zeros((SIZE, SIZE))
        for _ in range(rng.integers(2, 5)):
            cy, cx, r = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), rng.uniform(0.05, 0.2)
            g += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
        g = 2 * g / g.max() - 1
    else:
        g = rng.normal(size=(SIZE, SIZE)).clip(-2, 2) / 2
    colour = rng.uniform(0.2, 1.0, size=3)
    x = colour[:, None, None] * g[None] * rng.uniform(0.5, 1.5) + rng.normal(scale=0.5, size=(3, SIZE, SIZE))
    return x.astype(np.float32)


def dataset(rng, n):
    y = rng.integers(0, 5, size=n)
    return np.stack([image(rng, int(k)) for k in y]), y.astype(np.int64)


class SqueezeExcite(nn.Module):
    def __init__(self, c, squeeze):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1, self.fc2 = nn.Conv2d(c, squeeze, 1), nn.Conv2d(squeeze, c, 1)

    def forward(self, x):
        s = nn.functional.hardsigmoid(self.fc2(torch.relu(self.fc1(self.pool(x)))))
        return x * s


class InvertedResidual(nn.Module):
    def __init__(self, cin, expand, cout, k, stride, se, act):
        super().__init__()
        layers = [nn.Conv2d(cin, expand, 1, bias=False), nn.BatchNorm2d(expand), act()]
        layers += [nn.Conv2d(expand, expand, k, stride, k // 2, groups=expand, bias=False), nn.BatchNorm2d(expand), act()]
        if se:
            layers.append(SqueezeExcite(expand, max(8, expand // 4)))
        layers += [nn.Conv2d(expand, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.block = nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout

    def forward(self, x):
        y = self.block(x)
        return x + y if self.residual else y


class MobileNetV3Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.Hardswish(),  # 16x16
            InvertedResidual(16, 16, 16, 3, 2, True, nn.ReLU),       # 8x8, SE
            InvertedResidual(16, 48, 24, 3, 1, False, nn.ReLU),
            InvertedResidual(24, 64, 24, 3, 1, False, nn.ReLU),      # residual
            InvertedResidual(24, 72, 32, 5, 2, True, nn.Hardswish),  # 4x4
            InvertedResidual(32, 96, 32, 5, 1, True, nn.Hardswish),  # residual
            nn.Conv2d(32, 96, 1, bias=False), nn.BatchNorm2d(96), nn.Hardswish(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.classifier = nn.Sequential(nn.Linear(96, 64), nn.Hardswish(), nn.Linear(64, 5))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def main():
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    rng = np.random.default_rng(SEED)
    x_train, y_train = dataset(rng, 2000)
    x_test, y_test = dataset(rng, 120)
    model = MobileNetV3Tiny()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for epoch in range(8):
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 32):
            idx = perm[i:i + 32]
            opt.zero_grad()
            nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy()
    print(f"test accuracy {100 * (logits.argmax(1) == y_test).mean():.2f}% on {len(y_test)} images")
    path = os.path.join(HERE, "mobilenet_v3_tiny.onnx")
    torch.onnx.export(model, torch.from_numpy(x_test[:1]), path, opset_version=13, input_names=["x"],
                      output_names=["logits"], dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))
    print("ops:", sorted({n.op_type for n in onnx.load(path).graph.node}))
    np.save(os.path.join(HERE, "calib.npy"), x_train[rng.choice(len(x_train), 40, replace=False)])
    np.save(os.path.join(HERE, "test_x.npy"), x_test)
    np.save(os.path.join(HERE, "test_y.npy"), y_test)
    np.save(os.path.join(HERE, "torch_logits.npy"), logits.astype(np.float32))


if __name__ == "__main__":
    main()
