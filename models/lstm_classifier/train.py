#!/usr/bin/env -S /usr/bin/python3
"""Trains a LSTM sequence classifier on synthetic sensor sequences and exports ONNX.

nn.LSTM(4, 20, batch_first=True) over 32 steps (models/sequence_data.py), the
output of the last step, out[:, -1, :], into a Linear head: the Transposes,
LSTM, Squeeze, Gather on the computed sequence and the ConstantOfShape
initial states (h0, c0) PyTorch 1.13 exports around it.
Writes beside this script: lstm_classifier.onnx (opset 13), calib.npy (64
training sequences), test_x.npy [N, 32, 4] float32, test_y.npy int64, torch_logits.npy.
Run with Debian's interpreter: /usr/bin/python3 models/lstm_classifier/train.py
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


class LstmClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(sequence_data.FEATURES, 20, batch_first=True)
        self.head = nn.Linear(20, 5)

    def forward(self, x):
        out, _ = self.rnn(x)       # out: [batch, 32, 20]
        return self.head(out[:, -1, :])


def main():
    train_common.seed_everything(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = sequence_data.dataset(rng, 2000)
    x_test, y_test = sequence_data.dataset(rng, 100)
    model = LstmClassifier()
    train_common.train_classifier(model, x_train, y_train, epochs=20, batch=32, lr=5e-3)
    train_common.export_classifier(model, HERE, "lstm_classifier", x_train, x_test, y_test, rng,
                                   calib_count=64, unit="sequences")


if __name__ == "__main__":
    main()
