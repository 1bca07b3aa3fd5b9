#!/usr/bin/env -S /usr/bin/python3
"""Trains a small convolutional autoencoder on scikit-learn's 8x8 digits and exports ONNX.

The decoder of an image autoencoder or segmentation net: strided Conv2d down to
2x2, then a strided ConvTranspose2d with output_padding, nn.Upsample (bilinear,
align_corners=False) beside a nearest-neighbour nn.Upsample skip from the
encoder (a U-Net style Add), a depthwise ConvTranspose2d and a dilated
ConvTranspose2d, a 1x1 Conv2d, Sigmoid. Trained on mean squared reconstruction error.

Writes, beside this script: conv_autoencoder.onnx (opset 13), calib.npy (64
training images), test_x.npy [N,1,8,8] float32 in [0, 1], test_y.npy (the
digit labels, unused by the model) and torch_logits.npy (PyTorch's
reconstructions [N,1,8,8]). Run with Debian's interpreter:
/usr/bin/python3 models/conv_autoencoder/train.py
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
from sklearn.datasets import load_digits

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep models/ free of __pycache__
sys.path.insert(0, os.path.dirname(HERE))
import train_common  # noqa: E402  (models/train_common.py)
SEED = 0
TEST = 100


class ConvAutoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc1 = nn.Conv2d(1, 16, 3, stride=2, padding=1)     # 16 x 4 x 4
        self.enc2 = nn.Conv2d(16, 32, 3, stride=2, padding=1)    # 32 x 2 x 2
        self.dec1 = nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1)  # 16 x 4 x 4
        self.up_linear = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)  # 16 x 8 x 8
        self.up_nearest = nn.Upsample(scale_factor=2, mode="nearest")
        self.dec2 = nn.ConvTranspose2d(16, 16, 3, padding=1, groups=16)  # depthwise
        self.dec3 = nn.ConvTranspose2d(16, 8, 3, padding=2, dilation=2)  # 8 x 8 x 8
        # The last layer mixes channels 1x1: one output channel's weights share
        # one int8 scale, and 8 of them lose less than a 3x3x16 filter would.
        self.head = nn.Conv2d(8, 1, 1)
        self.relu = nn.ReLU()

    def forward(self, x):
        e1 = self.relu(self.enc1(x))
        e2 = self.relu(self.enc2(e1))
        d1 = self.relu(self.dec1(e2))
        d2 = self.relu(self.dec2(self.up_linear(d1) + self.up_nearest(e1)))
        return torch.sigmoid(self.head(self.relu(self.dec3(d2))))


def main():
    train_common.seed_everything(SEED)
    rng = np.random.default_rng(SEED)
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]
    y = digits.target.astype(np.int64)
    order = rng.permutation(len(x))
    test, train = order[:TEST], order[TEST:]
    model = ConvAutoencoder()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    xt = torch.from_numpy(x[train])
    for _ in range(60):
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 32):
            batch = xt[perm[i:i + 32]]
            opt.zero_grad()
            nn.functional.mse_loss(model(batch), batch).backward()
            opt.step()
    model.eval()
    x_test = x[test]
    with torch.no_grad():
        recon = model(torch.from_numpy(x_test)).numpy()
    print(f"test reconstruction MSE {((recon - x_test) ** 2).mean():.5f} on {TEST} images "
          f"(mean image MSE {((x_test - x[train].mean(0)) ** 2).mean():.5f})")
    path = os.path.join(HERE, "conv_autoencoder.onnx")
    torch.onnx.export(model, torch.from_numpy(x_test[:1]), path, opset_version=13, input_names=["x"],
                      output_names=["recon"], dynamic_axes={"x": {0: "batch"}, "recon": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))
    print("ops:", sorted({n.op_type for n in onnx.load(path).graph.node}))
    np.save(os.path.join(HERE, "calib.npy"), x[train][rng.choice(len(train), 64, replace=False)])
    np.save(os.path.join(HERE, "test_x.npy"), x_test)
    np.save(os.path.join(HERE, "test_y.npy"), y[test])
    np.save(os.path.join(HERE, "torch_logits.npy"), recon.astype(np.float32))


if __name__ == "__main__":
    main()
