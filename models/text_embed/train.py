#!/usr/bin/env -S /usr/bin/python3
"""Trains a tiny text classifier whose token ids are an int64 graph input and exports ONNX.

The shape of every text model: nn.Embedding(200, 16) looks up the token ids (an ONNX
Gather whose indices are the graph input), a learned position embedding is added, the
sequence is mean-pooled, then Linear + ReLU + Linear. Synthetic task: 4 topics, each
with its own 12 keyword tokens; a sentence of 16 tokens draws most tokens from the
common vocabulary and 2 to 5 from its topic's keywords (with a keyword of another topic
sometimes mixed in), so the topic is in which ids occur, wherever they are.

Writes, beside this script: text_embed.onnx (opset 13), calib.npy (100 training
sentences, int64), test_x.npy [N,16] int64, test_y.npy int64 and torch_logits.npy.
Run with Debian's interpreter: /usr/bin/python3 models/text_embed/train.py
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
VOCAB = 200
LENGTH = 16
TOPICS = 4
KEYWORDS = 12


def dataset(rng, n):
    keywords = np.arange(TOPICS * KEYWORDS).reshape(TOPICS, KEYWORDS) + VOCAB - TOPICS * KEYWORDS
    y = rng.integers(0, TOPICS, size=n)
    x = rng.integers(0, VOCAB - TOPICS * KEYWORDS, size=(n, LENGTH))
    for i, label in enumerate(y):
        count = rng.integers(2, 6)
        at = rng.choice(LENGTH, size=count + 1, replace=False)
        x[i, at[:count]] = rng.choice(keywords[label], size=count)
        if rng.random() < 0.3:  # a distractor from another topic
            x[i, at[count]] = rng.choice(keywords[(label + rng.integers(1, TOPICS)) % TOPICS])
    return x.astype(np.int64), y.astype(np.int64)


class TextEmbed(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 16)
        self.pos = nn.Parameter(torch.zeros(LENGTH, 16))
        self.head = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, TOPICS))

    def forward(self, ids):
        h = self.embed(ids) + self.pos  # Gather(table, ids), Add of a constant
        return self.head(h.mean(1))


def main():
    train_common.seed_everything(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = dataset(rng, 3000)
    x_test, y_test = dataset(rng, 300)
    model = TextEmbed()
    train_common.train_classifier(model, x_train, y_train, epochs=12, batch=32, lr=1e-2)
    train_common.export_classifier(model, HERE, "text_embed", x_train, x_test, y_test, rng, calib_count=100,
                                   unit="sentences")


if __name__ == "__main__":
    main()
