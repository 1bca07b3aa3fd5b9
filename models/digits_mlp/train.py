#!/usr/bin/env -S /usr/bin/python3
"""Train a small MLP on scikit-learn's 8x8 digits and export it to ONNX.

Run with Debian's interpreter:  /usr/bin/python3 models/digits_mlp/train.py
(needs numpy, scikit-learn, torch, onnx; no network access).

Outputs (written next to this script):
  digits_mlp.onnx    opset 13, input 'x' [batch,64] float32, output 'logits' [batch,10]
  calib.npy          float32 [200,64]  rows of the TRAINING split (fixed rng)
  test_x.npy         float32 [n_test,64]
  test_y.npy         int64   [n_test]
  torch_logits.npy   float32 [n_test,10]  PyTorch eval-mode outputs on test_x
"""
import os
import random
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 0
EPOCHS = 80
BATCH = 32
LR = 1e-3
N_CALIB = 200

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep models/ free of __pycache__
sys.path.insert(0, os.path.dirname(HERE))
import onnx_np_eval  # noqa: E402  (models/onnx_np_eval.py, numpy reference for the checks)


def set_determinism(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    try:
        torch.use_deterministic_algorithms(True)
    except Exception as e:  # pragma: no cover
        print("warning: deterministic algorithms unavailable:", e)


class DigitsMLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 64)
        self.fc2 = nn.Linear(64, 32)
        self.fc3 = nn.Linear(32, 10)
        self.relu = nn.ReLU()

    def forward(self, x):
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.fc3(x)


def main():
    set_determinism(SEED)

    digits = load_digits()
    X = (digits.data.astype(np.float32) / np.float32(16.0)).astype(np.float32)
    y = digits.target.astype(np.int64)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y)
    X_train = np.ascontiguousarray(X_train, dtype=np.float32)
    X_test = np.ascontiguousarray(X_test, dtype=np.float32)
    y_train = np.ascontiguousarray(y_train, dtype=np.int64)
    y_test = np.ascontiguousarray(y_test, dtype=np.int64)
    print(f"train: {X_train.shape}, test: {X_test.shape}, "
          f"x range [{X.min():.3f}, {X.max():.3f}]")

    model = DigitsMLP()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = nn.CrossEntropyLoss()

    xt = torch.from_numpy(X_train)
    yt = torch.from_numpy(y_train)
    gen = torch.Generator().manual_seed(SEED)
    n = xt.shape[0]
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for i in range(0, n, BATCH):
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            total += loss.item() * idx.shape[0]
        if (epoch + 1) % 10 == 0:
            print(f"epoch {epoch + 1:3d}  train loss {total / n:.4f}")

    model.eval()
    with torch.no_grad():
        train_acc = (model(xt).argmax(1) == yt).float().mean().item()
        logits = model(torch.from_numpy(X_test)).numpy().astype(np.float32)
    test_acc = float((logits.argmax(1) == y_test).mean())
    print(f"torch train accuracy: {train_acc * 100:.2f}%")
    print(f"torch test accuracy:  {test_acc * 100:.2f}% "
          f"({int((logits.argmax(1) == y_test).sum())}/{len(y_test)})")

    # Calibration rows: from the TRAINING split only, fixed rng.
    rng = np.random.default_rng(1234)
    calib_idx = np.sort(rng.choice(X_train.shape[0], size=N_CALIB, replace=False))
    calib = np.ascontiguousarray(X_train[calib_idx], dtype=np.float32)

    onnx_path = os.path.join(HERE, "digits_mlp.onnx")
    torch.onnx.export(
        model, torch.zeros(1, 64, dtype=torch.float32), onnx_path,
        opset_version=13, input_names=["x"], output_names=["logits"],
        dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}},
        do_constant_folding=True)
    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    ops = [n.op_type for n in m.graph.node]
    print("onnx.checker.check_model: OK")
    print("onnx ops:", ops)
    (onnx_logits,) = onnx_np_eval.run(m, {"x": X_test})
    diff = float(np.abs(onnx_logits - logits).max())
    onnx_acc = float((onnx_logits.argmax(1) == y_test).mean())
    print(f"numpy eval of ONNX graph: max |onnx - torch| = {diff:.3g}, "
          f"accuracy {onnx_acc * 100:.2f}%")
    assert diff < 1e-4, diff

    files = {
        "calib.npy": calib,
        "test_x.npy": X_test,
        "test_y.npy": y_test,
        "torch_logits.npy": logits,
    }
    for name, arr in files.items():
        np.save(os.path.join(HERE, name), arr)
    for name in ["digits_mlp.onnx"] + list(files):
        p = os.path.join(HERE, name)
        extra = ""
        if name.endswith(".npy"):
            a = np.load(p)
            extra = f"  {a.dtype} {list(a.shape)}"
        print(f"wrote {os.path.relpath(p, os.path.dirname(os.path.dirname(HERE)))}"
              f"  {os.path.getsize(p)} bytes{extra}")


if __name__ == "__main__":
    main()
