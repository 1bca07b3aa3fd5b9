"""Shared by the training scripts of the architecture families (models/*/train.py):
seeding, a plain Adam + cross-entropy loop, and the files the e2e tests read.

Each script keeps its data, its model and its hyper-parameters; this module
only holds what they would otherwise repeat. Run the scripts with Debian's
/usr/bin/python3.
"""
import os
import random

import numpy as np
import onnx
import torch
import torch.nn as nn


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)


def train_classifier(model, x_train, y_train, epochs, batch, lr):
    """Adam on cross-entropy over shuffled mini-batches; leaves the model in eval mode."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    xt, yt = torch.from_numpy(x_train), torch.from_numpy(y_train)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
            opt.step()
    model.eval()


def export_classifier(model, folder, name, x_train, x_test, y_test, rng, calib_count, unit):
    """Writes <name>.onnx (opset 13, dynamic batch), calib.npy (calib_count training rows drawn
    with rng), test_x.npy, test_y.npy and torch_logits.npy into folder; prints the accuracy."""
    with torch.no_grad():
        logits = model(torch.from_numpy(x_test)).numpy()
    print(f"test accuracy {100 * (logits.argmax(1) == y_test).mean():.2f}% on {len(y_test)} {unit}")
    path = os.path.join(folder, name + ".onnx")
    torch.onnx.export(model, torch.from_numpy(x_test[:1]), path, opset_version=13, input_names=["x"],
                      output_names=["logits"], dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
    onnx.checker.check_model(onnx.load(path))
    print("ops:", sorted({n.op_type for n in onnx.load(path).graph.node}))
    np.save(os.path.join(folder, "calib.npy"), x_train[rng.choice(len(x_train), calib_count, replace=False)])
    np.save(os.path.join(folder, "test_x.npy"), x_test)
    np.save(os.path.join(folder, "test_y.npy"), y_test)
    np.save(os.path.join(folder, "torch_logits.npy"), logits.astype(np.float32))


def texture_image(rng, label, size):
    """One of five synthetic texture classes (stripes at two angles, checkers,
    blobs, noise) with random frequency, phase, contrast and colour: [3, size, size]."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    f = rng.uniform(2.0, 5.0)
    phase = rng.uniform(0, 2 * np.pi)
    if label == 0:
        g = np.sin(2 * np.pi * f * xx + phase)
    elif label == 1:
        g = np.sin(2 * np.pi * f * (xx + yy) / np.sqrt(2) + phase)
    elif label == 2:
        g = np.sign(np.sin(2 * np.pi * f * xx + phase) * np.sin(2 * np.pi * f * yy + phase))
    elif label == 3:
        g = np.zeros((size, size))
        for _ in range(rng.integers(2, 5)):
            cy, cx, r = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8), rng.uniform(0.05, 0.2)
            g += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
        g = 2 * g / g.max() - 1
    else:
        g = rng.normal(size=(size, size)).clip(-2, 2) / 2
    colour = rng.uniform(0.2, 1.0, size=3)
    x = colour[:, None, None] * g[None] * rng.uniform(0.5, 1.5) + rng.normal(scale=0.5, size=(3, size, size))
    return x.astype(np.float32)


def texture_dataset(rng, n, size):
    """n texture images [n, 3, size, size] float32 and their labels int64."""
    y = rng.integers(0, 5, size=n)
    return np.stack([texture_image(rng, int(k), size) for k in y]), y.astype(np.int64)
