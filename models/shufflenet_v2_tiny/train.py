#!/usr/bin/env -S /usr/bin/python3
"""Trains a tiny ShuffleNetV2 on synthetic 24x24 images and exports ONNX.

The network is torchvision's ShuffleNetV2 class itself (stem conv + max pool,
three stages of shuffle units, conv5, global mean, linear), with narrow custom
stages: repeats [2, 2, 1], channels [16, 24, 48, 96, 128]. Its stride-1 units
split the channels in two (x.chunk(2, dim=1): two ONNX Slices on a computed
tensor), and every unit ends with the channel shuffle (Reshape to
[N, 2, C/2, H, W], Transpose(0, 2, 1, 3, 4), Reshape back; its shapes come
from Shape/Gather/Div arithmetic that modelc folds). Five classes of synthetic texture
(stripes at two angles, checkers, blobs, noise) as in mobilenet_v3_tiny.

Writes, beside this script: shufflenet_v2_tiny.onnx, calib.npy (24 training
images), test_x.npy [N,3,24,24] float32, test_y.npy int64 and torch_logits.npy.
Run with Debian's interpreter: /usr/bin/python3 models/shufflenet_v2_tiny/train.py
"""
import os
import sys

import numpy as np
from torchvision.models.shufflenetv2 import ShuffleNetV2

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep models/ free of __pycache__
sys.path.insert(0, os.path.dirname(HERE))
import train_common  # noqa: E402  (models/train_common.py)
SEED = 0
SIZE = 24


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


def main():
    train_common.seed_everything(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = dataset(rng, 2000)
    x_test, y_test = dataset(rng, 100)
    model = ShuffleNetV2([2, 2, 1], [16, 24, 48, 96, 128], num_classes=5)
    train_common.train_classifier(model, x_train, y_train, epochs=10, batch=32, lr=3e-3)
    train_common.export_classifier(model, HERE, "shufflenet_v2_tiny", x_train, x_test, y_test, rng, calib_count=24,
                                   unit="images")


if __name__ == "__main__":
    main()
