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
import sys

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep models/ free of __pycache__
sys.path.insert(0, os.path.dirname(HERE))
import train_common  # noqa: E402  (models/train_common.py)
SEED = 0
SIZE = 16


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
    train_common.seed_everything(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = train_common.texture_dataset(rng, 2000, SIZE)
    x_test, y_test = train_common.texture_dataset(rng, 120, SIZE)
    model = MobileNetV3Tiny()
    train_common.train_classifier(model, x_train, y_train, epochs=8, batch=32, lr=3e-3)
    train_common.export_classifier(model, HERE, "mobilenet_v3_tiny", x_train, x_test, y_test, rng, calib_count=40,
                                   unit="images")


if __name__ == "__main__":
    main()
