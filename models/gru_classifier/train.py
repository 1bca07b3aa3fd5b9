#!/usr/bin/env -S /usr/bin/python3
"""Trains a GRU sequence classifier on synthetic sensor sequences and exports ONNX.

nn.GRU(4, 24, batch_first=True) over 32 steps (models/sequence_data.py), the
last hidden state h_n into a Linear head: the Transpose, GRU, Squeeze and the
ConstantOfShape initial state PyTorch 1.13 exports around it. Writes beside
this script: gru_classifier.onnx (opset 13), calib.npy (64 training
sequences), test_x.npy [N, 32, 4] float32, test_y.npy int64, torch_logits.npy.
Run with Debian's interpreter: /usr/bin/python3 models/gru_classifier/train.py
"""
import os
import sys

import numpy as np
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep models/ free of __pycache__
sys.path.insert(0, os.path.dirname(HERE))
import sequence_data  # noqa: E402  (models/sequence_data.py)
import train_common  # noqa: E402  (models/train_common.py)
SEED = 0


class GruClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(sequence_data.FEATURES, 24, batch_first=True)
        self.head = nn.Linear(24, 5)

    def forward(self, x):
        _, h = self.rnn(x)         # h: [1, batch, 24]
        return self.head(h.squeeze(0))


def main():
    train_common.seed_everything(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = sequence_data.dataset(rng, 2000)
    x_test, y_test = sequence_data.dataset(rng, 100)
    model = GruClassifier()
    train_common.train_classifier(model, x_train, y_train, epochs=20, batch=32, lr=5e-3)
    train_common.export_classifier(model, HERE, "gru_classifier", x_train, x_test, y_test, rng,
                                   calib_count=64, unit="sequences")


if __name__ == "__main__":
    main()
