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


def main():
    train_common.seed_everything(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = train_common.texture_dataset(rng, 2000, SIZE)
    x_test, y_test = train_common.texture_dataset(rng, 100, SIZE)
    model = ShuffleNetV2([2, 2, 1], [16, 24, 48, 96, 128], num_classes=5)
    train_common.train_classifier(model, x_train, y_train, epochs=10, batch=32, lr=3e-3)
    train_common.export_classifier(model, HERE, "shufflenet_v2_tiny", x_train, x_test, y_test, rng, calib_count=24,
                                   unit="images")


if __name__ == "__main__":
    main()
