#!/usr/bin/env -S /usr/bin/python3
"""A pre-quantized (QDQ) ONNX CNN: what onnxruntime's static quantizer writes.

Trains a small 2-D CNN (Conv+ReLU, MaxPool, Conv+ReLU, global average pool,
Linear) on the synthetic texture images of train_common (16 x 16), exports it
to ONNX (opset 13) and quantizes it post-training the way onnxruntime's QDQ
format does: int8 weights per output channel (symmetric, max|w| / 127) behind
DequantizeLinear, int32 biases at scale s_in * s_w behind DequantizeLinear, and
a QuantizeLinear/DequantizeLinear pair on the input (uint8) and after every
ReLU, pool and the logits (int8, asymmetric, ranges from 100 calibration
images). Debian's torch (1.13) has no QDQ export of its own quantized modules
that modelc could read, and Debian has no onnxruntime: the pairs are inserted
with onnx.helper around the float export, with the scales computed here.

Writes, beside this script: qdq_cnn.onnx (the QDQ model), qdq_params.json (the
int8 scale and zero point of every tensor a QuantizeLinear quantizes, by its
ONNX name; the uint8 input's zero point shifted by -128), test_y.npy (test_set() rebuilds the images), torch_logits.npy (the
fake-quantized PyTorch model's logits: torch.fake_quantize_* at the same points
with the same parameters, the oracle) and torch_q.npy (those logits as the int8
values of the output's quantization). No calib.npy: the model converts to int8
without calibration. Run: /usr/bin/python3 models/qdq_cnn/train.py
"""
import json
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(HERE))
import train_common  # noqa: E402

SEED = 0
TEST_SEED = 1
SIZE = 16


class Cnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1)
        self.fc = nn.Linear(16, 5)

    def forward(self, x, fq=None):
        fq = fq or (lambda name, t: t)
        x = fq("x", x)
        x = fq("relu1", torch.relu(self.conv1(x)))
        x = fq("pool1", nn.functional.max_pool2d(x, 2))
        x = fq("relu2", torch.relu(self.conv2(x)))
        x = fq("gap", nn.functional.adaptive_avg_pool2d(x, 1))
        return fq("logits", self.fc(torch.flatten(x, 1)))


def activation_params(lo, hi, unsigned):
    """Asymmetric parameters covering [lo, hi] (widened to include 0), as onnxruntime computes them."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    qmin, qmax = (0, 255) if unsigned else (-128, 127)
    scale = np.float32((hi - lo) / (qmax - qmin))
    zp = int(np.clip(np.round(qmin - lo / scale), qmin, qmax))
    return float(scale), zp


def quantize_weights(w):
    """Symmetric int8 per output channel (axis 0): the integers and their scales."""
    flat = w.reshape(w.shape[0], -1)
    scale = (np.abs(flat).max(1) / 127.0).astype(np.float32)
    q = np.clip(np.rint(flat / scale[:, None]), -127, 127).astype(np.int8).reshape(w.shape)
    return q, scale


def test_set():
    """The 200 test images, from their own seed: tests/e2e/families_test.py rebuilds them
    (test_x.npy would be 150 KB) and checks the labels against test_y.npy."""
    return train_common.texture_dataset(np.random.default_rng(TEST_SEED), 200, SIZE)


def main():
    train_common.seed_everything(SEED)
    rng = np.random.default_rng(SEED)
    x_train, y_train = train_common.texture_dataset(rng, 2000, SIZE)
    x_test, y_test = test_set()
    model = Cnn()
    train_common.train_classifier(model, x_train, y_train, epochs=8, batch=32, lr=3e-3)

    # Ranges of the quantized tensors on 100 calibration images.
    calib = torch.from_numpy(x_train[rng.choice(len(x_train), 100, replace=False)])
    ranges = {}

    def observe(name, t):
        lo, hi = ranges.get(name, (np.inf, -np.inf))
        ranges[name] = (min(lo, float(t.min())), max(hi, float(t.max())))
        return t

    with torch.no_grad():
        model(calib, observe)
    params = {name: activation_params(lo, hi, unsigned=name == "x") for name, (lo, hi) in ranges.items()}
    params["pool1"] = params["relu1"]  # max pooling keeps its input's values and parameters

    # Weights and biases as the QDQ model holds them.
    weights = {}
    for name, layer in (("conv1", model.conv1), ("conv2", model.conv2), ("fc", model.fc)):
        q, s = quantize_weights(layer.weight.detach().numpy())
        weights[name] = (q, s)
    inputs_of = {"conv1": "x", "conv2": "pool1", "fc": "gap"}
    biases = {}
    for name, layer in (("conv1", model.conv1), ("conv2", model.conv2), ("fc", model.fc)):
        s_b = (np.float32(params[inputs_of[name]][0]) * weights[name][1]).astype(np.float32)
        qb = np.rint(layer.bias.detach().numpy() / s_b).astype(np.int32)
        biases[name] = (qb, s_b)

    # The oracle: PyTorch with the dequantized weights and fake quantization at the same points.
    with torch.no_grad():
        for name, layer in (("conv1", model.conv1), ("conv2", model.conv2), ("fc", model.fc)):
            q, s = weights[name]
            layer.weight.copy_(torch.from_numpy(q.astype(np.float32) * s.reshape((-1,) + (1,) * (q.ndim - 1))))
            qb, sb = biases[name]
            layer.bias.copy_(torch.from_numpy(qb.astype(np.float32) * sb))

    def fake_quant(name, t):
        scale, zp = params[name]
        lo, hi = (0, 255) if name == "x" else (-128, 127)
        return torch.fake_quantize_per_tensor_affine(t, scale, zp, lo, hi)

    with torch.no_grad():
        logits = model(torch.from_numpy(x_test), fake_quant).numpy()
    scale, zp = params["logits"]
    torch_q = np.clip(np.rint(logits / np.float32(scale)) + zp, -128, 127).astype(np.int8)
    print(f"fake-quantized test accuracy {100 * (logits.argmax(1) == y_test).mean():.2f}% on {len(y_test)} images")

    # The float export, then the QDQ rewrite.
    path = os.path.join(HERE, "qdq_cnn.onnx")
    with torch.no_grad():
        torch.onnx.export(model, torch.from_numpy(x_test[:1]), path, opset_version=13, input_names=["x"],
                          output_names=["logits"], dynamic_axes={"x": {0: "batch"}, "logits": {0: "batch"}})
    m = onnx.load(path)
    g = m.graph
    print("float ops:", [n.op_type for n in g.node])
    inits = {t.name: t for t in g.initializer}
    new_nodes, new_inits = [], []

    def const(name, array):
        new_inits.append(numpy_helper.from_array(array, name))
        return name

    def qdq(tensor, key):
        """x -> QuantizeLinear -> DequantizeLinear -> x.dq; returns the new name."""
        scale, zp = params[key]
        pinned[tensor] = {"scale": scale, "zero_point": zp - (128 if key == "x" else 0)}  # uint8 as int8
        ztype = np.uint8 if key == "x" else np.int8
        s = const(tensor + ".scale", np.array(scale, np.float32))
        z = const(tensor + ".zero_point", np.array(zp, ztype))
        new_nodes.append(helper.make_node("QuantizeLinear", [tensor, s, z], [tensor + ".q"], name=tensor + ".quantize"))
        new_nodes.append(helper.make_node("DequantizeLinear", [tensor + ".q", s, z], [tensor + ".dq"],
                                          name=tensor + ".dequantize"))
        return tensor + ".dq"

    def dq_const(name, q, scale, axis):
        s = const(name + ".scale", scale)
        z = const(name + ".zero_point", np.zeros(scale.shape, np.int8 if q.dtype == np.int8 else np.int32))
        const(name + ".quantized", q)
        new_nodes.append(helper.make_node("DequantizeLinear", [name + ".quantized", s, z], [name + ".dq"],
                                          name=name + ".dequantize", axis=axis))
        return name + ".dq"

    pinned = {}  # ONNX tensor name -> the int8 scale and zero point mote must give it
    rename = {"x": qdq("x", "x")}
    layer_of = {"Conv": ["conv1", "conv2"], "Gemm": ["fc"]}
    after = {"Relu": ["relu1", "relu2"], "MaxPool": ["pool1"], "GlobalAveragePool": ["gap"], "Gemm": ["logits"]}
    for node in g.node:
        node.input[:] = [rename.get(i, i) for i in node.input]
        if node.op_type in layer_of:
            layer = layer_of[node.op_type].pop(0)
            q, s = weights[layer]
            qb, sb = biases[layer]
            assert node.input[1] in inits and node.input[2] in inits
            node.input[1] = dq_const(layer + ".weight", q, s, 0)
            node.input[2] = dq_const(layer + ".bias", qb, sb, 0)
        new_nodes.append(node)
        if node.op_type in after:
            key = after[node.op_type].pop(0)
            out = node.output[0]
            if out == "logits":  # the graph output is the DequantizeLinear's
                node.output[0] = "logits.float"
                qdq("logits.float", "logits")
                new_nodes[-1].output[0] = "logits"
            else:
                rename[out] = qdq(out, key)
    used = {i for n in new_nodes for i in n.input}
    kept = [t for t in g.initializer if t.name in used]
    del g.node[:]
    g.node.extend(new_nodes)
    del g.initializer[:]
    g.initializer.extend(kept + new_inits)
    onnx.checker.check_model(m)
    onnx.save(m, path)
    print("QDQ ops:", sorted({n.op_type for n in g.node}), "file", os.path.getsize(path), "bytes")

    with open(os.path.join(HERE, "qdq_params.json"), "w") as f:
        json.dump(pinned, f, indent=1, sort_keys=True)
    np.save(os.path.join(HERE, "test_y.npy"), y_test)
    np.save(os.path.join(HERE, "torch_logits.npy"), logits.astype(np.float32))
    np.save(os.path.join(HERE, "torch_q.npy"), torch_q)


if __name__ == "__main__":
    main()
