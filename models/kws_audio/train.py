"""Keyword spotting from raw audio: a DS-CNN trained on torchaudio log-mel features of clips
synthesized with espeak-ng (dataset.py), 10 keywords + unknown + silence as in Speech Commands.

Writes kws_audio.onnx (the classifier: features [N, 1, 40, 49] -> logits [N, 12]) and
classifier.pt (its state dict, which the e2e test loads to compute PyTorch's decisions on the
held-back clips it regenerates). modelc prepends the front-end:
    modelc convert kws_audio.onnx --frontend "$(python3 dataset.py ...)"  (see README)
so the .mote takes int16 audio [1, 16000]. Run with Debian's /usr/bin/python3 (about 2 minutes).
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
import dataset  # noqa: E402
from train_common import seed_everything, train_classifier  # noqa: E402


class DsCnn(nn.Module):
    """MLPerf Tiny's KWS shape, narrower: conv, three depthwise-separable blocks, average pool."""

    def __init__(self, classes=len(dataset.CLASSES), width=32):
        super().__init__()

        def block(c_in, c_out, kernel, stride, groups):
            pad = (kernel[0] // 2, kernel[1] // 2)
            return [nn.Conv2d(c_in, c_out, kernel, stride, pad, groups=groups, bias=False),
                    nn.BatchNorm2d(c_out), nn.ReLU()]

        layers = block(1, width, (5, 3), (2, 2), 1)
        for _ in range(3):
            layers += block(width, width, (3, 3), (1, 1), width) + block(width, width, (1, 1), (1, 1), 1)
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, classes)

    def forward(self, x):
        return self.fc(torch.flatten(self.pool(self.features(x)), 1))


def main():
    seed_everything(7)
    x_clips, y_train = dataset.training_clips()
    t_clips, y_test = dataset.held_back_clips()
    x_train, x_test = dataset.features(x_clips), dataset.features(t_clips)
    model = DsCnn()
    train_classifier(model, x_train, y_train, epochs=40, batch=64, lr=3e-3)
    with torch.no_grad():
        train_acc = (model(torch.from_numpy(x_train)).argmax(1).numpy() == y_train).mean()
        test_acc = (model(torch.from_numpy(x_test)).argmax(1).numpy() == y_test).mean()
    print(f"accuracy: training clips {100 * train_acc:.1f}%, held-back voices {100 * test_acc:.1f}%"
          f" ({len(y_test)} clips)")
    torch.save(model.state_dict(), os.path.join(HERE, "classifier.pt"))
    path = os.path.join(HERE, "kws_audio.onnx")
    torch.onnx.export(model, torch.from_numpy(x_test[:1]), path, opset_version=13,
                      input_names=["features"], output_names=["logits"])
    onnx.checker.check_model(onnx.load(path))
    print("ops:", sorted({n.op_type for n in onnx.load(path).graph.node}))


if __name__ == "__main__":
    main()
