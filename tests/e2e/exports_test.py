#!/usr/bin/env python3
"""Architectures nobody on the project trained, exported as users export them.

torchvision networks (EfficientNet-B0, MobileNetV3-large, RegNetX, ResNet-18, SqueezeNet,
ShuffleNetV2, GoogLeNet, DenseNet) and hand-written modules with the patterns exporters emit
(nn.TransformerEncoder with GELU and norm_first exported in training mode with dropout 0,
nn.MultiheadAttention, 2-layer bidirectional LSTM, sequence-first GRU, dilated / grouped
Conv1d with ConvTranspose1d, bilinear Upsample with PixelShuffle, SiLU / Mish / Hardswish /
GroupNorm / LayerNorm, chunk + GLU with torch.std's unbiased variance, Conv3d, torch.einsum
and Linear over 4-D tensors), random weights with a
fixed seed, opset 13 and 17. Each must convert to float32 and run on the host within 1e-4 of
PyTorch (relative to the output's largest magnitude); the small ones also convert to int8 and
run on the first emulated board with the host's bytes.
"""
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, compare_raw, guarded, parse_args, run  # noqa: E402

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision.models as tvm  # noqa: E402

warnings.filterwarnings("ignore")  # the exporter's tracer warnings


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.m = nn.MultiheadAttention(32, 4, batch_first=True)

    def forward(self, x):
        return self.m(x, x, x, need_weights=False)[0]


class DeepBiLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.LSTM(8, 16, num_layers=2, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(32, 4)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y[:, -1])


class SequenceFirstGru(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.GRU(8, 16)
        self.fc = nn.Linear(16, 4)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.fc(h[0])


class Tcn(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv1d(3, 16, 3, dilation=2, padding=2)
        self.c2 = nn.Conv1d(16, 16, 5, groups=4, padding=2, stride=2)
        self.up = nn.ConvTranspose1d(16, 8, 4, stride=2, padding=1)
        self.bn = nn.BatchNorm1d(8)
        self.fc = nn.Linear(8, 5)

    def forward(self, x):
        x = F.relu6(self.c2(F.relu(self.c1(x))))
        x = self.bn(self.up(x))
        return self.fc(F.adaptive_max_pool1d(x, 1).flatten(1))


class UpsampleShuffle(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Conv2d(3, 8, 3, 2, 1)
        self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.mix = nn.Conv2d(11, 3, 3, 1, 1)
        self.expand = nn.Conv2d(3, 12, 1)
        self.shuffle = nn.PixelShuffle(2)

    def forward(self, x):
        y = torch.cat([self.up(F.leaky_relu(self.down(x), 0.1)), x], 1)
        return self.shuffle(self.expand(self.mix(y)))


class Activations(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 16)
        self.norm = nn.LayerNorm(16)
        self.conv = nn.Conv2d(1, 8, 3, padding=1)
        self.group = nn.GroupNorm(4, 8)

    def forward(self, x):
        g = self.group(self.conv(x.view(1, 1, 4, 4))).flatten(1)[:, :16]
        z = (F.silu(self.fc(x)) + F.mish(x) + F.hardswish(x) + torch.clamp(x, -0.5, 0.5) +
             F.softsign(x))
        return self.norm(z * g).softmax(-1)


class GluStatistics(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(16, 32)

    def forward(self, x):
        a, b = self.fc(x).chunk(2, -1)
        y = a * torch.sigmoid(b)
        return torch.stack([y.mean(-1), y.amax(-1), y.std(-1)], -1)


class Video3d(nn.Module):
    """Conv3d: strided, padded, dilated and grouped, with BatchNorm3d; a (2, 1, 1) temporal
    kernel; a (1, 3, 3) one (3-D as 2-D per slice)."""

    def __init__(self):
        super().__init__()
        self.a = nn.Conv3d(2, 8, 3, stride=(2, 1, 2), padding=1)
        self.bn = nn.BatchNorm3d(8)
        self.b = nn.Conv3d(8, 8, 3, padding=(2, 1, 1), dilation=(2, 1, 1), groups=4)
        self.c = nn.Conv3d(8, 4, (1, 3, 3), padding=(0, 1, 1))
        self.d = nn.Conv3d(4, 4, (2, 1, 1))
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        y = F.relu(self.bn(self.a(x)))
        y = self.d(self.c(F.relu(self.b(y))))
        return self.fc(y.mean((2, 3, 4)))


class EinsumAttention(nn.Module):
    """Heads kept 4-D: Linear over [B, H, T, D] and attention written with torch.einsum."""

    def __init__(self):
        super().__init__()
        self.q = nn.Linear(8, 8)
        self.k = nn.Linear(8, 8)

    def forward(self, x):
        a = torch.einsum("bhid,bhjd->bhij", self.q(x), self.k(x)).softmax(-1)
        return torch.einsum("bhij,bhjd->bhid", a, x)


class EinsumForms(nn.Module):
    """Einsum with a constant operand, a batched product, a reduction, an outer product, an
    ellipsis and the implicit output."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(4, 6))

    def forward(self, x):
        a = torch.einsum("bij,jk->bik", x, self.w)
        b = torch.einsum("...ij,...kj->...ik", x, x)
        c = torch.einsum("bij->bj", x)
        d = torch.einsum("bi,bj->bij", c, c)
        e = torch.einsum("bij,jk", x, self.w)  # implicit output: bik
        return torch.cat([a.flatten(1), b.flatten(1), d.flatten(1), e.flatten(1)], 1)


def encoder(norm_first, activation):
    layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True,
                                       activation=activation, norm_first=norm_first)
    return nn.TransformerEncoder(layer, 2)


# (name, module factory, input shape, opset, int8 on a board too)
CASES = [
    ("efficientnet_b0", lambda: tvm.efficientnet_b0(num_classes=10), (1, 3, 64, 64), 13, False),
    ("mobilenet_v3_large", lambda: tvm.mobilenet_v3_large(num_classes=10), (1, 3, 64, 64), 13, False),
    ("regnet_x_400mf", lambda: tvm.regnet_x_400mf(num_classes=10), (1, 3, 64, 64), 13, False),
    ("resnet18", lambda: tvm.resnet18(num_classes=10), (1, 3, 64, 64), 13, False),
    ("squeezenet1_1", lambda: tvm.squeezenet1_1(num_classes=10), (1, 3, 64, 64), 13, False),
    ("shufflenet_v2_x0_5", lambda: tvm.shufflenet_v2_x0_5(num_classes=10), (1, 3, 64, 64), 13,
     False),
    ("googlenet", lambda: tvm.googlenet(num_classes=10, aux_logits=False, init_weights=True),
     (1, 3, 64, 64), 13, False),
    ("densenet", lambda: tvm.DenseNet(growth_rate=8, block_config=(2, 2), num_init_features=16,
                                      num_classes=10), (1, 3, 32, 32), 13, False),
    ("transformer_gelu", lambda: encoder(False, "gelu"), (1, 12, 32), 13, True),
    ("transformer_norm_first", lambda: encoder(True, "relu"), (1, 12, 32), 17, True),
    ("attention", Attention, (1, 10, 32), 13, True),
    ("lstm_2layer_bidirectional", DeepBiLstm, (1, 20, 8), 13, True),
    ("gru_sequence_first", SequenceFirstGru, (20, 1, 8), 13, True),
    ("tcn_1d", Tcn, (1, 3, 64), 13, True),
    ("upsample_pixel_shuffle", UpsampleShuffle, (1, 3, 16, 16), 13, True),
    ("activations", Activations, (1, 16), 13, True),
    ("glu_statistics", GluStatistics, (2, 16), 13, True),
    ("conv3d", Video3d, (1, 2, 7, 9, 8), 13, True),
    ("einsum_attention", EinsumAttention, (1, 2, 6, 8), 13, True),
    ("einsum_forms", EinsumForms, (2, 5, 4), 13, True),
]


def export(name, factory, shape, opset, folder):
    torch.manual_seed(sum(map(ord, name)))
    module = factory()
    # Transformers and attention go through PyTorch's fused fast path in eval mode,
    # which has no ONNX export; users export them in training mode with dropout 0.
    training = name.startswith(("transformer", "attention"))
    module.train(training)
    x = torch.randn(*shape)
    with torch.no_grad():
        ref = module(x)
        mode = torch.onnx.TrainingMode.PRESERVE if training else torch.onnx.TrainingMode.EVAL
        torch.onnx.export(module, x, os.path.join(folder, "m.onnx"), opset_version=opset,
                          training=mode)
    np.save(os.path.join(folder, "x.npy"), x.numpy())
    calib = torch.randn(16, *shape[1:]) if shape[0] == 1 else torch.randn(16, *shape)
    np.save(os.path.join(folder, "calib.npy"), calib.numpy())
    return ref.numpy()


def check_float(a, folder, ref):
    r = run([a.modelc, "convert", os.path.join(folder, "m.onnx"), "-o",
             os.path.join(folder, "f.mote"), "--precision", "float32"], timeout=300)
    if r.rc != 0:
        return "modelc: " + (r.err or r.out).strip()[-300:]
    r = run([a.sim, "run", os.path.join(folder, "f.mote"), "--input", os.path.join(folder, "x.npy"),
             "--output", os.path.join(folder, "y.npy")], timeout=120)
    if r.rc != 0:
        return "mote-sim: " + (r.err or r.out).strip()[-300:]
    y = np.load(os.path.join(folder, "y.npy")).reshape(ref.shape)
    scale = float(np.abs(ref).max())
    if scale == 0 or float(ref.std()) == 0:
        return "degenerate reference output"
    err = float(np.abs(y - ref).max()) / scale
    print("  %s float32: max error %.2e of the largest output" % (os.path.basename(folder), err))
    return None if err < 1e-4 else "max error %.3g relative to the largest output" % err


def check_int8_board(a, folder, target):
    mote = os.path.join(folder, "q.mote")
    r = run([a.modelc, "convert", os.path.join(folder, "m.onnx"), "-o", mote, "--precision",
             "int8", "--calibration", os.path.join(folder, "calib.npy")], timeout=300)
    if r.rc != 0:
        return "modelc: " + (r.err or r.out).strip()[-300:]
    outs = {}
    for t in ["host", target]:
        outs[t] = os.path.join(folder, "q_%s.npy" % t)
        r = run([a.sim, "run", mote, "--input", os.path.join(folder, "x.npy"), "--output",
                 outs[t], "--raw", "--target", t], timeout=120)
        if r.rc != 0:
            return "mote-sim --target %s: %s" % (t, (r.err or r.out).strip()[-300:])
    return compare_raw(outs["host"], outs[target])


def check_arg_extrema(a, folder, board):
    """ArgMin over a middle axis (keepdims 0) and ArgMax with select_last_index over a line with
    ties, as ONNX graphs: float32 and int8 on the host and the board equal numpy."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rs = np.random.RandomState(7)
    w = rs.randn(1, 3, 5).astype(np.float32)
    w[0, 1, 1] = w[0, 1, 3] = w[0, 1].max() + 1  # two equal maxima in line 1: the last (3) wins
    nodes = [helper.make_node("Mul", ["x", "w"], ["h"]),
             helper.make_node("ArgMin", ["h"], ["a"], axis=1, keepdims=0),
             helper.make_node("ArgMax", ["h"], ["b"], axis=2, select_last_index=1)]
    g = helper.make_graph(nodes, "extrema", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 5])],
                          [helper.make_tensor_value_info("a", TensorProto.INT64, [1, 5]),
                           helper.make_tensor_value_info("b", TensorProto.INT64, [1, 3, 1])],
                          [numpy_helper.from_array(w, "w")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    m.ir_version = 7
    onnx.save(m, os.path.join(folder, "m.onnx"))
    x = np.ones((1, 3, 5), np.float32)
    x[0, 0] = [0.5, -1, 2, 0.25, -0.5]
    np.save(os.path.join(folder, "x.npy"), x)
    np.save(os.path.join(folder, "calib.npy"), rs.randn(32, 1, 3, 5).astype(np.float32))
    h = x * w
    want_a = h.argmin(1)
    want_b = 4 - np.flip(h, 2).argmax(2)[..., None]
    for prec in ("float32", "int8"):
        mote = os.path.join(folder, prec + ".mote")
        r = run([a.modelc, "convert", os.path.join(folder, "m.onnx"), "-o", mote, "--precision", prec,
                 "--calibration", os.path.join(folder, "calib.npy")], timeout=120)
        if r.rc != 0:
            return "%s modelc: %s" % (prec, (r.err or r.out).strip()[-300:])
        for t in ["host"] + ([board] if board else []):
            outs = [os.path.join(folder, "%s_%s_%s.npy" % (o, prec, t)) for o in "ab"]
            r = run([a.sim, "run", mote, "--input", os.path.join(folder, "x.npy"), "--output", outs[0],
                     "--output", outs[1], "--target", t], timeout=120)
            if r.rc != 0:
                return "%s %s mote-sim: %s" % (prec, t, (r.err or r.out).strip()[-300:])
            got_a, got_b = np.load(outs[0]), np.load(outs[1])
            if not (np.array_equal(got_a, want_a) and np.array_equal(got_b.reshape(want_b.shape), want_b)):
                return "%s on %s: ArgMin %s ArgMax %s, want %s %s" % (prec, t, got_a.tolist(), got_b.ravel().tolist(),
                                                                     want_a.tolist(), want_b.ravel().tolist())
    return None


def main():
    a = parse_args(__doc__.splitlines()[0], "exports")
    c = Checker()
    board = a.qemu_targets[0] if a.qemu_targets else None
    for name, factory, shape, opset, quantize in CASES:
        folder = os.path.join(a.scratch, name)
        os.makedirs(folder)
        try:
            ref = export(name, factory, shape, opset, folder)
        except Exception as e:  # noqa: BLE001
            c.fail("%s export" % name, "%s: %s" % (type(e).__name__, e))
            continue
        c.run("%s float32 == PyTorch" % name, check_float, a, folder, ref)
        if quantize and board:
            c.run("%s int8 host == %s" % (name, board), check_int8_board, a, folder, board)
    folder = os.path.join(a.scratch, "arg_extrema")
    os.makedirs(folder)
    c.run("ArgMin / ArgMax(select_last_index) == numpy", check_arg_extrema, a, folder, board)
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
