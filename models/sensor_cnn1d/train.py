#!/usr/bin/env -S /usr/bin/python3
"""Trains a 1-D CNN on synthetic 3-axis accelerometer windows and exports ONNX.

The shape of a human-activity or machine-vibration classifier: 128 samples of
3 axes, Conv1d + BatchNorm1d + ReLU, MaxPool1d, a depthwise Conv1d, a
pointwise Conv1d, AvgPool1d, AdaptiveAvgPool1d, Linear. Five classes of
synthetic motion (still, walking, running, shaking, tapping), each with random
frequency, phase, amplitude, orientation and noise, so that nothing about one
window is fixed.

Writes, beside this script: sensor_cnn1d.onnx (opset 13), calib.npy (100
training windows), test_x.npy [N,3,128] float32, test_y.npy int64 and
torch_logits.npy. Run with Debian's interpreter:
/usr/bin/python3 models/sensor_cnn1d/train.py
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
LENGTH = 128
RATE = 50.0  # Hz


def rotation(rng):
    q = rng.normal(size=4)
    a, b, c, d = q / np.linalg.norm(q)
    return np.array([[a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
                     [2 * (b * c + a * d), a * a - b * b + c * c - d * d, 2 * (c * d - a * b)],
                     [2 * (b * d - a * c), 2 * (c * d + a * b), a * a - b * b - c * c + d * d]])


def window(rng, label):
    t = np.arange(LENGTH) / RATE
    body = np.zeros((3, LENGTH))
    if label == 1 or label == 2:  # walking ~1.8 Hz, running ~2.8 Hz: a step pulse and its harmonic
        f = rng.uniform(1.5, 2.1) if label == 1 else rng.uniform(2.5, 3.2)
        amp = rng.uniform(0.2, 0.5) if label == 1 else rng.uniform(0.7, 1.2)
        phase = rng.uniform(0, 2 * np.pi)
        body[2] = amp * np.sin(2 * np.pi * f * t + phase) + 0.3 * amp * np.sin(4 * np.pi * f * t + 2 * phase)
        body[0] = 0.4 * amp * np.sin(np.pi * f * t + phase)
    elif label == 3:  # shaking: fast oscillation along a random axis
        f = rng.uniform(5.0, 9.0)
        axis = rng.normal(size=3)
        body = np.outer(axis / np.linalg.norm(axis), rng.uniform(0.8, 1.5) * np.sin(2 * np.pi * f * t))
    elif label == 4:  # tapping: a few sharp decaying impulses
        for start in rng.choice(LENGTH - 10, size=rng.integers(2, 5), replace=False):
            k = np.arange(LENGTH - start)
            body[:, start:] += np.outer(rng.normal(size=3), np.exp(-k / 2.0) * np.cos(k * 1.3))
    gravity = np.array([0.0, 0.0, 1.0])[:, None]
    x = rotation(rng) @ (body + gravity)
    return (x + rng.normal(scale=0.05, size=x.shape)).astype(np.float32)


def dataset(rng, n):
    y = rng.integers(0, 5, size=n)
    return np.stack([window(rng, int(k)) for k in y]), y.astype(np.int64)


def conv_bn(cin, cout, k, groups=1):
    return [nn.Conv1d(cin, cout, k, padding=k // 2, groups=groups, bias=False), nn.BatchNorm1d(cout), nn.ReLU()]


class SensorCnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.BatchNorm1d(3),             # input normalization: stays a BatchNormalization node
            *conv_bn(3, 16, 5),            # 16 x 128
            nn.MaxPool1d(2),               # 16 x 64
            *conv_bn(16, 16, 3, groups=16),  # depthwise
            *conv_bn(16, 32, 1),           # pointwise
            nn.AvgPool1d(2),               # 32 x 32
            nn.Conv1d(32, 32, 3, stride=2, padding=1, dilation=1),  # 32 x 16, with bias
            nn.ReLU(),
            nn.AdaptiveAvgPool1d(1),       # 32 x 1
        )
        self.head = nn.Linear(32, 5)

    def forward(self, x):
        return self.head(torch.flatten(self.features(x), 1))


def main():
    train_common.seed_everything(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = dataset(rng, 2000)
    x_test, y_test = dataset(rng, 250)
    model = SensorCnn()
    train_common.train_classifier(model, x_train, y_train, epochs=15, batch=32, lr=3e-3)
    train_common.export_classifier(model, HERE, "sensor_cnn1d", x_train, x_test, y_test, rng, calib_count=100,
                                   unit="windows")


if __name__ == "__main__":
    main()
