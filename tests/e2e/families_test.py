#!/usr/bin/env -S /usr/bin/python3
"""Architecture families users bring (issue 11), end to end against PyTorch.

Each family is a folder under models/ with a training script that wrote
<name>.onnx, calib.npy, test_x.npy, test_y.npy and torch_logits.npy. For each:
  - float32: mote's logits match PyTorch's within 1e-4 relative
    (|got - want| <= 1e-4 * max(1, |want|));
  - int8 and int16: top-1 agreement with PyTorch's decisions >= 98% (the
    accuracy on the labels is printed beside PyTorch's);
  - image outputs (the conv autoencoder): float32 as above, int8 and int16
    reconstruction SQNR against PyTorch's >= 25 dB and >= 40 dB;
  - raw outputs of the first samples are byte-identical on every QEMU target;
  - a pre-quantized QDQ model (models/qdq_cnn) converts to int8 without calibration,
    keeps the scales and zero points its QuantizeLinear/DequantizeLinear nodes carry and
    matches the fake-quantized PyTorch model (top-1 >= 98%, output bytes within 1 LSB on
    >= 99%); in float32 the Q/DQ pairs are float ops, within 1e-4 of that model.

    /usr/bin/python3 tests/e2e/families_test.py --bin build/host/bin --repo . --targets host,cortex-m4
"""
import json
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, board_too_small, compare_raw, guarded, parse_args, run  # noqa: E402

# (folder under models/, ONNX file): one per family.
FAMILIES = [
    ("sensor_cnn1d", "sensor_cnn1d.onnx"),  # Conv1d, BatchNorm1d, MaxPool1d, depthwise Conv1d, AvgPool1d
    ("activations_mlp", "activations_mlp.onnx"),  # Elu, Selu, Celu, Softplus, Gelu, Mish, SiLU, Log, Exp, ...
    ("mobilenet_v3_tiny", "mobilenet_v3_tiny.onnx"),  # inverted residuals, squeeze-excite, Hardswish/Hardsigmoid
    ("shufflenet_v2_tiny", "shufflenet_v2_tiny.onnx"),  # channel split (Slice), channel shuffle, Concat
    # nn.TransformerEncoderLayer: batched MatMul of computed tensors, Softmax, LayerNorm (opset 13
    # decomposed; opset 17 LayerNormalization), Slice of the fused QKV projection.
    ("tiny_transformer", "tiny_transformer.onnx"),
    ("tiny_transformer", "tiny_transformer_opset17.onnx"),
    # Recurrent layers (one Rnn op each; int8/int16 models keep an int16 state, mote.fbs RnnOptions).
    ("gru_classifier", "gru_classifier.onnx"),  # GRU (linear_before_reset), ConstantOfShape h0, h_n head
    ("lstm_classifier", "lstm_classifier.onnx"),  # LSTM, ConstantOfShape h0/c0, out[:, -1, :] head (Y, Gather)
    ("bigru_classifier", "bigru_classifier.onnx"),  # bidirectional GRU, both h_n flattened
    # Padding mask (Greater, Not, Or with a causal constant), masked_fill and torch.where (Where),
    # torch.cumsum of the outputs and of valid.float() (CumSum, Cast), torch.topk pooling (TopK).
    ("masked_attention", "masked_attention.onnx"),
    # nn.Embedding: token ids an int64 graph input (an int32 model input), Gather by run-time indices.
    ("text_embed", "text_embed.onnx"),
]
MIN_AGREEMENT = {"int8": 98.0, "int16": 98.0}
# Families whose output is an image (reconstruction SQNR against PyTorch, dB).
IMAGE_FAMILIES = [
    ("conv_autoencoder", "conv_autoencoder.onnx"),  # ConvTranspose (strided, depthwise, dilated), Resize
]
MIN_SQNR = {"int8": 25.0, "int16": 40.0}
# Synthetic graphs around the 1-D ops (float32 against numpy), and a softmax
# over the width of an image (computed over the width, not the channels).
RAW_SAMPLES = 8


def check_family(a, c, folder, onnx_name, image=False):
    d = os.path.join(a.repo, "models", folder)
    folder = os.path.splitext(onnx_name)[0]  # names the outputs: a folder may hold two exports
    x_path = os.path.join(d, "test_x.npy")
    labels = np.load(os.path.join(d, "test_y.npy"))
    ref = np.load(os.path.join(d, "torch_logits.npy"))
    few = os.path.join(a.scratch, "%s_few.npy" % folder)
    np.save(few, np.load(x_path)[:RAW_SAMPLES])
    for precision in ("float32", "int8", "int16"):
        name = "%s %s" % (folder, precision)
        model = os.path.join(a.scratch, "%s_%s.mote" % (folder, precision))
        r = run([a.modelc, "convert", os.path.join(d, onnx_name), "-o", model, "--calibration",
                 os.path.join(d, "calib.npy"), "--precision", precision], timeout=120)
        if not c.ok("convert " + name, r.rc == 0, r.describe()):
            continue
        out = os.path.join(a.scratch, "%s_%s.npy" % (folder, precision))
        r = run([a.sim, "run", model, "--input", x_path, "--output", out], timeout=120)
        if not c.ok("run " + name, r.rc == 0, r.describe()):
            continue
        y = np.load(out)
        if image:
            sqnr = 10 * np.log10((ref.astype(np.float64) ** 2).sum() / max(((y - ref) ** 2).sum(), 1e-30))
            print("INFO %s: SQNR %.2f dB against PyTorch, max |y - torch| %.4g" % (name, sqnr, np.abs(y - ref).max()))
            if precision == "float32":
                excess = np.abs(y - ref) - 1e-4 * np.maximum(1.0, np.abs(ref))
                c.ok(name + " output within 1e-4 relative of PyTorch", y.shape == ref.shape and excess.max() <= 0,
                     "max |diff| %g" % np.abs(y - ref).max())
            else:
                c.ok("%s SQNR >= %.0f dB" % (name, MIN_SQNR[precision]), sqnr >= MIN_SQNR[precision],
                     "%.2f dB" % sqnr)
            check_raw(a, c, model, few, name, folder, precision)
            continue
        agree = 100 * (y.argmax(1) == ref.argmax(1)).mean()
        print("INFO %s: accuracy %.2f%% (PyTorch %.2f%%), top-1 agreement %.2f%%, max |logit - torch| %.4g" % (
            name, 100 * (y.argmax(1) == labels).mean(), 100 * (ref.argmax(1) == labels).mean(), agree,
            np.abs(y - ref).max()))
        if precision == "float32":
            excess = np.abs(y - ref) - 1e-4 * np.maximum(1.0, np.abs(ref))
            c.ok(name + " logits within 1e-4 relative of PyTorch", excess.max() <= 0,
                 "max |diff| %g" % np.abs(y - ref).max())
        else:
            c.ok("%s top-1 agreement >= %.0f%%" % (name, MIN_AGREEMENT[precision]),
                 agree >= MIN_AGREEMENT[precision], "%.2f%%" % agree)
        check_raw(a, c, model, few, name, folder, precision)


def check_raw(a, c, model, few, name, folder, precision):
    """Raw outputs of the first samples: byte-identical on every QEMU target."""
    host = os.path.join(a.scratch, "%s_%s_raw_host.npy" % (folder, precision))
    r = run([a.sim, "run", model, "--input", few, "--output", host, "--raw"])
    if not c.ok("raw %s host" % name, r.rc == 0, r.describe()):
        return
    for t in a.qemu_targets:
        other = os.path.join(a.scratch, "%s_%s_raw_%s.npy" % (folder, precision, t))
        r = run([a.sim, "run", model, "--input", few, "--output", other, "--raw", "--target", t], timeout=120)
        if board_too_small(r):
            c.skip("%s on %s" % (name, t), "model does not fit the board's RAM")
            continue
        if c.ok("run %s on %s" % (name, t), r.rc == 0, r.describe()):
            c.run("%s bytes identical on %s" % (name, t), compare_raw, host, other)


def conv1d(x, w, b, stride=1, pad=(0, 0), dilation=1, groups=1):
    n, cin, length = x.shape
    cout, cg, k = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), pad))
    out_len = (length + sum(pad) - dilation * (k - 1) - 1) // stride + 1
    y = np.zeros((n, cout, out_len), np.float64)
    for o in range(cout):
        g = o // (cout // groups)
        for i in range(out_len):
            taps = xp[:, g * cg:(g + 1) * cg, i * stride:i * stride + dilation * (k - 1) + 1:dilation]
            y[:, o, i] = (taps * w[o]).sum((1, 2)) + (b[o] if b is not None else 0)
    return y


def max_pool1d(x, k, stride, pad):
    xp = np.pad(x, ((0, 0), (0, 0), pad), constant_values=-np.inf)
    out_len = (x.shape[2] + sum(pad) - k) // stride + 1
    return np.stack([xp[:, :, i * stride:i * stride + k].max(2) for i in range(out_len)], 2)


def conv_transpose1d(x, w, b, stride, pad, output_padding, dilation, groups):
    """Scatter: input i, tap k feed output i * stride + k * dilation - pad[0]."""
    n, cin, length = x.shape
    _, mg, k = w.shape
    cg = cin // groups
    out_len = (length - 1) * stride + (k - 1) * dilation + 1 + output_padding - sum(pad)
    y = np.zeros((n, mg * groups, out_len), np.float64) + b[None, :, None]
    for ic in range(cin):
        g = ic // cg
        for i in range(length):
            for t in range(k):
                o = i * stride + t * dilation - pad[0]
                if 0 <= o < out_len:
                    y[:, g * mg:(g + 1) * mg, o] += x[:, ic, i][:, None] * w[ic, :, t][None, :]
    return y


def check_conv_transpose_1d(a, c):
    import onnx
    from onnx import TensorProto, helper as h, numpy_helper as nh
    rng = np.random.default_rng(11)
    w = rng.normal(size=(4, 3, 3)).astype(np.float32)
    b = rng.normal(size=6).astype(np.float32)
    node = h.make_node("ConvTranspose", ["x", "w", "b"], ["y"], strides=[2], pads=[1, 0], output_padding=[1],
                       dilations=[2], group=2)
    graph = h.make_graph([node, h.make_node("Relu", ["y"], ["r"])], "convtranspose_1d",
                         [h.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4, 7])],
                         [h.make_tensor_value_info("r", TensorProto.FLOAT, None)],
                         [nh.from_array(w, "w"), nh.from_array(b, "b")])
    path = os.path.join(a.scratch, "convtranspose_1d.onnx")
    onnx.save(h.make_model(graph, opset_imports=[h.make_opsetid("", 13)]), path)
    x = rng.normal(size=(2, 4, 7)).astype(np.float32)
    want = conv_transpose1d(x, w, b, 2, (1, 0), 1, 2, 2).clip(0)
    x_path, model, out = [os.path.join(a.scratch, f) for f in ("ct1d_x.npy", "ct1d.mote", "ct1d_y.npy")]
    np.save(x_path, x)
    r = run([a.modelc, "convert", path, "-o", model, "--precision", "float32"])
    if c.ok("convert a 1-D ConvTranspose", r.rc == 0, r.describe()):
        r = run([a.sim, "run", model, "--input", x_path, "--output", out])
        if c.ok("run a 1-D ConvTranspose", r.rc == 0, r.describe()):
            y = np.load(out)
            c.ok("1-D ConvTranspose matches numpy", y.shape == want.shape and np.allclose(y, want, atol=1e-5),
                 "shape %s vs %s" % (y.shape, want.shape))


def check_edge_cases(a, c):
    import onnx
    from onnx import TensorProto, helper as h, numpy_helper as nh
    rng = np.random.default_rng(7)
    w1 = rng.normal(size=(8, 4, 3)).astype(np.float32)
    b1 = rng.normal(size=8).astype(np.float32)
    wd = rng.normal(size=(8, 1, 5)).astype(np.float32)
    scale = rng.normal(size=(1, 8, 1)).astype(np.float32)
    extra = rng.normal(size=(2, 8, 5)).astype(np.float32)
    nodes = [
        h.make_node("Conv", ["x", "w1", "b1"], ["c1"], kernel_shape=[3], pads=[2, 0], strides=[2], dilations=[2]),
        h.make_node("Relu", ["c1"], ["r1"]),
        h.make_node("Conv", ["r1", "wd"], ["c2"], group=8, pads=[2, 2]),   # depthwise, kernel_shape omitted
        h.make_node("Mul", ["c2", "scale"], ["y"]),                         # broadcast constant [1,C,1]
        h.make_node("Transpose", ["c2"], ["z"], perm=[0, 2, 1]),            # must see [N,C,L]
        h.make_node("Concat", ["c2", "extra"], ["cat"], axis=-1),           # a constant: stays 3-D
        h.make_node("MaxPool", ["cat"], ["p"], kernel_shape=[3], strides=[2], pads=[1, 1]),
        h.make_node("Softmax", ["p"], ["s"], axis=-1),                      # over the length
        h.make_node("ReduceMean", ["p"], ["m"], axes=[-1], keepdims=0),
        h.make_node("GlobalMaxPool", ["c2"], ["gmax"]),
    ]
    outs = ["y", "z", "s", "m", "gmax"]
    graph = h.make_graph(nodes, "lift_edges", [h.make_tensor_value_info("x", TensorProto.FLOAT, [2, 4, 19])],
                         [h.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outs],
                         [nh.from_array(v, k) for k, v in
                          (("w1", w1), ("b1", b1), ("wd", wd), ("scale", scale), ("extra", extra))])
    path = os.path.join(a.scratch, "lift_edges.onnx")
    onnx.save(h.make_model(graph, opset_imports=[h.make_opsetid("", 13)]), path)
    x = rng.normal(size=(2, 4, 19)).astype(np.float32)
    c2 = conv1d(conv1d(x, w1, b1, 2, (2, 0), 2).clip(0), wd, None, 1, (2, 2), 1, 8)
    p = max_pool1d(np.concatenate([c2, extra], 2), 3, 2, (1, 1))
    e = np.exp(p - p.max(2, keepdims=True))
    want = {"y": c2 * scale, "z": c2.transpose(0, 2, 1), "s": e / e.sum(2, keepdims=True), "m": p.mean(2),
            "gmax": c2.max(2, keepdims=True)}
    x_path, model = os.path.join(a.scratch, "lift_x.npy"), os.path.join(a.scratch, "lift_edges.mote")
    np.save(x_path, x)
    r = run([a.modelc, "convert", path, "-o", model, "--precision", "float32"])
    if c.ok("convert lift_edges", r.rc == 0, r.describe()):
        got = [os.path.join(a.scratch, "lift_%s.npy" % o) for o in outs]
        r = run([a.sim, "run", model, "--input", x_path] + sum((["--output", g] for g in got), []))
        if c.ok("run lift_edges", r.rc == 0, r.describe()):
            for o, g in zip(outs, got):
                y = np.load(g)
                c.ok("lift_edges %s matches numpy" % o, y.shape == want[o].shape and np.allclose(y, want[o], atol=1e-5),
                     "shape %s vs %s, max diff %s" % (y.shape, want[o].shape,
                                                      np.abs(y - want[o]).max() if y.shape == want[o].shape else "-"))
    # A softmax over an image's width, NCHW axis 3: computed over the width (a Transpose
    # around the runtime's channel softmax), not over the channels.
    w2 = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    graph = h.make_graph([h.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                          h.make_node("Softmax", ["c"], ["y"], axis=-1)], "width_softmax",
                         [h.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 6, 5])],
                         [h.make_tensor_value_info("y", TensorProto.FLOAT, None)], [nh.from_array(w2, "w")])
    path = os.path.join(a.scratch, "width_softmax.onnx")
    onnx.save(h.make_model(graph, opset_imports=[h.make_opsetid("", 13)]), path)
    model = os.path.join(a.scratch, "width_softmax.mote")
    x = rng.normal(size=(1, 3, 6, 5)).astype(np.float32)
    xp = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    conv = np.zeros((1, 4, 6, 5))
    for i in range(6):
        for j in range(5):
            conv[0, :, i, j] = (xp[0, :, i:i + 3, j:j + 3][None] * w2).sum((1, 2, 3))
    e = np.exp(conv - conv.max(3, keepdims=True))
    want = e / e.sum(3, keepdims=True)
    x_path, y_path = os.path.join(a.scratch, "width_x.npy"), os.path.join(a.scratch, "width_y.npy")
    np.save(x_path, x)
    r = run([a.modelc, "convert", path, "-o", model, "--precision", "float32"])
    if c.ok("convert width_softmax", r.rc == 0, r.describe()):
        r = run([a.sim, "run", model, "--input", x_path, "--output", y_path])
        if c.ok("run width_softmax", r.rc == 0, r.describe()):
            y = np.load(y_path).reshape(want.shape)
            c.ok("softmax over an image's width matches numpy", np.allclose(y, want, atol=1e-6),
                 "max diff %g" % np.abs(y - want).max())


def moving_ops(x):
    """The data-movement graph of check_data_movement: ONNX nodes, initializers and the numpy
    result of each output for input x [1, 8, 4, 6]."""
    from onnx import helper as h, numpy_helper as nh
    i64 = lambda v: np.array(v, np.int64)  # noqa: E731
    n, c, hh, w = x.shape
    want, nodes, inits = {}, [], []

    def const(name, v):
        inits.append(nh.from_array(i64(v), name))
        return name
    nodes.append(h.make_node("Slice", ["x", const("s0", [1, -1, 1]), const("s1", [9, -9, 5]),
                                       const("s2", [1, 2, 3]), const("s3", [2, -2, 2])], ["slice"]))
    want["slice"] = x[:, 1::2, ::-2, 1:5:2]
    nodes.append(h.make_node("DepthToSpace", ["x"], ["d2s_dcr"], blocksize=2))
    want["d2s_dcr"] = x.reshape(n, 2, 2, c // 4, hh, w).transpose(0, 3, 4, 1, 5, 2).reshape(n, c // 4, hh * 2, w * 2)
    nodes.append(h.make_node("DepthToSpace", ["x"], ["d2s_crd"], blocksize=2, mode="CRD"))
    want["d2s_crd"] = x.reshape(n, c // 4, 2, 2, hh, w).transpose(0, 1, 4, 2, 5, 3).reshape(n, c // 4, hh * 2, w * 2)
    nodes.append(h.make_node("SpaceToDepth", ["x"], ["s2d"], blocksize=2))
    want["s2d"] = x.reshape(n, c, hh // 2, 2, w // 2, 2).transpose(0, 3, 5, 1, 2, 4).reshape(n, c * 4, hh // 2, w // 2)
    nodes.append(h.make_node("Tile", ["x", const("reps", [1, 1, 2, 3])], ["tile"]))
    want["tile"] = np.tile(x, (1, 1, 2, 3))
    nodes.append(h.make_node("Slice", ["x", const("e0", [0]), const("e1", [1]), const("e2", [3])], ["col"]))
    nodes.append(h.make_node("Expand", ["col", const("shape", [2, 1, 1, 3])], ["expand"]))
    want["expand"] = np.broadcast_to(x[:, :, :, :1], (2, c, hh, 3))
    nodes.append(h.make_node("Split", ["x", const("parts", [3, 5])], ["split_a", "split_b"], axis=1))
    want["split_a"], want["split_b"] = x[:, :3], x[:, 3:]
    nodes.append(h.make_node("Gather", ["x", const("rows", [3, 0, 3])], ["gather"], axis=2))
    want["gather"] = x[:, :, [3, 0, 3]]
    nodes.append(h.make_node("Gather", ["x", const("one", -1)], ["gather_scalar"], axis=1))
    want["gather_scalar"] = x[:, -1]
    idx = np.random.default_rng(3).integers(-w, w, size=x.shape)
    nodes.append(h.make_node("GatherElements", ["x", const("idx", idx)], ["gather_elements"], axis=3))
    want["gather_elements"] = np.take_along_axis(x, idx % w, axis=3)
    nodes += [h.make_node("Reshape", ["x", const("g5", [n, 2, c // 2, hh, w])], ["g"]),
              h.make_node("Transpose", ["g"], ["gt"], perm=[0, 2, 1, 3, 4]),
              h.make_node("Reshape", ["gt", const("g4", [n, c, hh, w])], ["shuffle"])]
    want["shuffle"] = x.reshape(n, 2, c // 2, hh, w).transpose(0, 2, 1, 3, 4).reshape(x.shape)
    return nodes, inits, want


def check_data_movement(a, c):
    """Slice, Split, Gather, GatherElements, Expand, Tile, DepthToSpace, SpaceToDepth and the
    channel shuffle on a 4-D input (so through the NHWC layout): in float32 against numpy, and in
    int8/int16 fed the model's own integers, whose outputs must be numpy's moves of them exactly,
    on the host and every board."""
    import onnx
    from onnx import TensorProto, helper as h
    shape = (1, 8, 4, 6)
    rng = np.random.default_rng(5)
    xf = rng.normal(size=shape).astype(np.float32)
    nodes, inits, _ = moving_ops(xf)
    outs = [o for nd in nodes for o in nd.output if o not in ("col", "g", "gt")]
    graph = h.make_graph(nodes, "moving", [h.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
                         [h.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outs], inits)
    path = os.path.join(a.scratch, "moving.onnx")
    onnx.save(h.make_model(graph, opset_imports=[h.make_opsetid("", 13)]), path)
    calib = os.path.join(a.scratch, "moving_calib.npy")
    np.save(calib, rng.normal(size=(8,) + shape).astype(np.float32))
    for precision, dtype in (("float32", np.float32), ("int8", np.int8), ("int16", np.int16)):
        model = os.path.join(a.scratch, "moving_%s.mote" % precision)
        r = run([a.modelc, "convert", path, "-o", model, "--calibration", calib, "--precision", precision])
        if not c.ok("convert moving %s" % precision, r.rc == 0, r.describe()):
            continue
        x = xf if dtype == np.float32 else rng.integers(np.iinfo(dtype).min, np.iinfo(dtype).max + 1,
                                                         size=shape).astype(dtype)
        x_path = os.path.join(a.scratch, "moving_x_%s.npy" % precision)
        np.save(x_path, x)
        want = moving_ops(x)[2]
        for t in ["host"] + a.qemu_targets:
            got = [os.path.join(a.scratch, "moving_%s_%s_%s.npy" % (precision, t, o)) for o in outs]
            r = run([a.sim, "run", model, "--input", x_path, "--raw", "--target", t] +
                    sum((["--output", g] for g in got), []), timeout=120)
            if board_too_small(r):
                c.skip("moving %s on %s" % (precision, t), "model does not fit the board's RAM")
                continue
            if not c.ok("run moving %s on %s" % (precision, t), r.rc == 0, r.describe()):
                continue
            bad = [o for o, g in zip(outs, got)
                   if np.load(g).shape != want[o].shape or not np.array_equal(np.load(g), want[o])]
            c.ok("moving %s on %s: every output is numpy's exactly" % (precision, t), not bad, "differ: %s" % bad)


def check_torchvision_shufflenet(a, c):
    """torchvision's shufflenet_v2_x0_5 (random weights, opset 13, 224x224) converts and matches
    PyTorch in float32 on the host."""
    import torch
    import torchvision
    torch.manual_seed(0)
    m = torchvision.models.shufflenet_v2_x0_5().eval()
    x = torch.randn(2, 3, 224, 224)
    path = os.path.join(a.scratch, "shufflenet_v2_x0_5.onnx")
    torch.onnx.export(m, x[:1], path, opset_version=13, input_names=["x"], output_names=["y"],
                      dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
    with torch.no_grad():
        ref = m(x).numpy()
    x_path, y_path = os.path.join(a.scratch, "tv_x.npy"), os.path.join(a.scratch, "tv_y.npy")
    np.save(x_path, x.numpy())
    model = os.path.join(a.scratch, "shufflenet_v2_x0_5.mote")
    r = run([a.modelc, "convert", path, "-o", model, "--precision", "float32"], timeout=120)
    if c.ok("convert torchvision shufflenet_v2_x0_5", r.rc == 0, r.describe()):
        r = run([a.sim, "run", model, "--input", x_path, "--output", y_path], timeout=120)
        if c.ok("run torchvision shufflenet_v2_x0_5", r.rc == 0, r.describe()):
            y = np.load(y_path)
            excess = np.abs(y - ref) - 1e-4 * np.maximum(1.0, np.abs(ref))
            print("INFO torchvision shufflenet_v2_x0_5 float32: max |logit - torch| %.3g" % np.abs(y - ref).max())
            c.ok("torchvision shufflenet_v2_x0_5 within 1e-4 relative of PyTorch", excess.max() <= 0,
                 "max |diff| %g" % np.abs(y - ref).max())


def tflite_lstm_json(rng, steps, inputs, cells, time_major, peepholes):
    """A float32 TFLite UNIDIRECTIONAL_SEQUENCE_LSTM (flatc JSON of modelc's TFLite schema subset, which
    keeps TFLite's field ids) and its weights per gate, TFLite's order i f c o."""
    import struct
    buffers, tensors = [{}], []

    def tensor(name, shape, values=None, variable=False):
        buf = 0
        if values is not None:
            flat = np.asarray(values, np.float32).ravel()
            buffers.append({"data": list(struct.pack("<%df" % flat.size, *flat))})
            buf = len(buffers) - 1
        tensors.append({"name": name, "shape": list(shape), "type": "FLOAT32", "buffer": buf, "is_variable": variable})
        return len(tensors) - 1

    g = {k: {"w": rng.normal(scale=0.5, size=(cells, inputs)), "r": rng.normal(scale=0.4, size=(cells, cells)),
             "b": rng.normal(scale=0.3, size=cells), "p": rng.normal(scale=0.5, size=cells)} for k in "ifco"}
    x_shape = (steps, 1, inputs) if time_major else (1, steps, inputs)
    ins = [tensor("x", x_shape)]
    ins += [tensor("w_" + k, (cells, inputs), g[k]["w"]) for k in "ifco"]
    ins += [tensor("r_" + k, (cells, cells), g[k]["r"]) for k in "ifco"]
    ins += [tensor("p_" + k, (cells,), g[k]["p"]) if peepholes else -1 for k in "ifo"]
    ins += [tensor("b_" + k, (cells,), g[k]["b"]) for k in "ifco"]
    ins += [-1, -1, tensor("h_state", (1, cells), variable=True), tensor("c_state", (1, cells), variable=True)]
    ins += [-1, -1, -1, -1]
    y = tensor("y", (steps, 1, cells) if time_major else (1, steps, cells))
    op = {"opcode_index": 0, "inputs": ins, "outputs": [y],
          "builtin_options_type": "UnidirectionalSequenceLSTMOptions",
          "builtin_options": {"fused_activation_function": "TANH", "time_major": time_major}}
    model = {"version": 3, "operator_codes": [{"deprecated_builtin_code": 44, "builtin_code": 44}],
             "subgraphs": [{"tensors": tensors, "inputs": [0], "outputs": [y], "operators": [op], "name": "main"}],
             "buffers": buffers}
    return model, g


def lstm_numpy(x, g, peepholes):
    """TFLite's LSTM equations in float64 over x [steps, inputs]: the hidden state of every step."""
    sig = lambda v: 1.0 / (1.0 + np.exp(-v))  # noqa: E731
    pre = lambda k, xt, h: g[k]["w"] @ xt + g[k]["r"] @ h + g[k]["b"]  # noqa: E731
    h = c = np.zeros(len(g["i"]["b"]))
    out = []
    for xt in x.astype(np.float64):
        i = sig(pre("i", xt, h) + (g["i"]["p"] * c if peepholes else 0))
        f = sig(pre("f", xt, h) + (g["f"]["p"] * c if peepholes else 0))
        c = f * c + i * np.tanh(pre("c", xt, h))
        o = sig(pre("o", xt, h) + (g["o"]["p"] * c if peepholes else 0))
        h = o * np.tanh(c)
        out.append(h)
    return np.array(out)


def check_tflite_lstm(a, c):
    """TFLite UNIDIRECTIONAL_SEQUENCE_LSTM import: float32 against numpy (batch-major, and time-major
    with peepholes), int8 and int16 within a few output steps, host == every board."""
    import json
    schema = os.path.join(a.repo, "tools", "modelc", "import", "tflite_schema.fbs")
    rng = np.random.default_rng(3)
    for time_major, peepholes in ((False, False), (True, True)):
        name = "tflite_lstm_%s%s" % ("time_major" if time_major else "batch_major", "_peepholes" if peepholes else "")
        model, g = tflite_lstm_json(rng, 12, 3, 6, time_major, peepholes)
        js = os.path.join(a.scratch, name + ".json")
        with open(js, "w") as f:
            json.dump(model, f)
        r = run(["flatc", "-b", "-o", a.scratch, schema, js])
        if not c.ok("flatc " + name, r.rc == 0, r.describe()):
            continue
        path = os.path.join(a.scratch, name + ".tflite")
        os.replace(os.path.join(a.scratch, name + ".bin"), path)
        xs = rng.normal(size=(40, 12, 3)).astype(np.float32)
        want = np.stack([lstm_numpy(x, g, peepholes) for x in xs])  # [N, steps, cells]
        shaped = xs[:, :, None, :] if time_major else xs[:, None, :, :]
        x_path, calib = os.path.join(a.scratch, name + "_x.npy"), os.path.join(a.scratch, name + "_calib.npy")
        np.save(x_path, shaped)
        np.save(calib, shaped[:20])
        for precision in ("float32", "int8", "int16"):
            if peepholes and precision != "float32":
                continue  # peepholes are float32 only (refused by name in quantized models)
            mote = os.path.join(a.scratch, "%s_%s.mote" % (name, precision))
            r = run([a.modelc, "convert", path, "-o", mote, "--precision", precision, "--calibration", calib])
            if not c.ok("convert %s %s" % (name, precision), r.rc == 0, r.describe()):
                continue
            out = os.path.join(a.scratch, "%s_%s.npy" % (name, precision))
            r = run([a.sim, "run", mote, "--input", x_path, "--output", out])
            if not c.ok("run %s %s" % (name, precision), r.rc == 0, r.describe()):
                continue
            got = np.load(out).reshape(want.shape)
            err = np.abs(got - want).max()
            bound = {"float32": 1e-4, "int8": 0.06, "int16": 0.02}[precision]
            print("INFO %s %s: max |h - numpy| %.3g" % (name, precision, err))
            c.ok("%s %s matches numpy within %g" % (name, precision, bound), err <= bound, "max |diff| %g" % err)
            host = os.path.join(a.scratch, "%s_%s_raw_host.npy" % (name, precision))
            r = run([a.sim, "run", mote, "--input", x_path, "--output", host, "--raw"])
            for t in a.qemu_targets if r.rc == 0 else []:
                other = os.path.join(a.scratch, "%s_%s_raw_%s.npy" % (name, precision, t))
                r = run([a.sim, "run", mote, "--input", x_path, "--output", other, "--raw", "--target", t],
                        timeout=120)
                if c.ok("run %s %s on %s" % (name, precision, t), r.rc == 0, r.describe()):
                    c.run("%s %s bytes identical on %s" % (name, precision, t), compare_raw, host, other)
    # Refused by name: a feature the import lacks.
    model, _ = tflite_lstm_json(rng, 4, 3, 6, False, False)
    model["subgraphs"][0]["operators"][0]["builtin_options"]["cell_clip"] = 3.0
    js = os.path.join(a.scratch, "tflite_lstm_clip.json")
    with open(js, "w") as f:
        json.dump(model, f)
    run(["flatc", "-b", "-o", a.scratch, schema, js])
    bad = os.path.join(a.scratch, "tflite_lstm_clip.tflite")
    if os.path.exists(os.path.join(a.scratch, "tflite_lstm_clip.bin")):
        os.replace(os.path.join(a.scratch, "tflite_lstm_clip.bin"), bad)
    r = run([a.modelc, "convert", bad, "-o", os.path.join(a.scratch, "clip.mote"), "--precision", "float32"])
    c.ok("TFLite LSTM cell clipping is refused by name", r.rc != 0 and "UNIDIRECTIONAL_SEQUENCE_LSTM" in r.err and
         "clipping" in r.err, r.describe())


def qdq_test_images(d):
    """models/qdq_cnn's test images, rebuilt by its train.py (not committed: 150 KB)."""
    sys.path.insert(0, os.path.dirname(d))
    sys.path.insert(0, d)
    try:
        import train as qdq_train  # models/qdq_cnn/train.py
    finally:
        del sys.path[:2]
    sys.modules.pop("train", None)
    return qdq_train.test_set()


def check_qdq(a, c):
    """A pre-quantized (QDQ) model: int8 without calibration, the parameters the
    QuantizeLinear/DequantizeLinear nodes carry kept exactly, outputs against the
    fake-quantized PyTorch model (same points, same parameters; round half to even)."""
    d = os.path.join(a.repo, "models", "qdq_cnn")
    onnx_path = os.path.join(d, "qdq_cnn.onnx")
    x, y = qdq_test_images(d)
    if not c.ok("qdq_cnn test images rebuilt", (y == np.load(os.path.join(d, "test_y.npy"))).all(),
                "labels differ from test_y.npy"):
        return
    x_path = os.path.join(a.scratch, "qdq_cnn_x.npy")
    np.save(x_path, x)
    few = os.path.join(a.scratch, "qdq_cnn_few.npy")
    np.save(few, x[:RAW_SAMPLES])
    ref = np.load(os.path.join(d, "torch_logits.npy"))
    ref_q = np.load(os.path.join(d, "torch_q.npy"))
    with open(os.path.join(d, "qdq_params.json")) as f:
        pinned = json.load(f)
    for precision in ("int8", "float32"):
        name = "qdq_cnn " + precision
        model = os.path.join(a.scratch, "qdq_cnn_%s.mote" % precision)
        r = run([a.modelc, "convert", onnx_path, "-o", model, "--precision", precision])  # no calibration
        if not c.ok("convert " + name + " without calibration", r.rc == 0, r.describe()):
            continue
        out = os.path.join(a.scratch, "qdq_cnn_%s.npy" % precision)
        r = run([a.sim, "run", model, "--input", x_path, "--output", out], timeout=120)
        if not c.ok("run " + name, r.rc == 0, r.describe()):
            continue
        got = np.load(out)
        agree = 100 * (got.argmax(1) == ref.argmax(1)).mean()
        print("INFO %s: accuracy %.2f%% (fake-quantized PyTorch %.2f%%), top-1 agreement %.2f%%" % (
            name, 100 * (got.argmax(1) == y).mean(), 100 * (ref.argmax(1) == y).mean(), agree))
        if precision == "float32":  # Q/DQ as float ops: the fake-quantized model itself
            excess = np.abs(got - ref) - 1e-4 * np.maximum(1.0, np.abs(ref))
            c.ok(name + " logits within 1e-4 relative of fake-quantized PyTorch", excess.max() <= 0,
                 "max |diff| %g" % np.abs(got - ref).max())
            check_raw(a, c, model, few, name, "qdq_cnn", precision)
            continue
        c.ok(name + " top-1 agreement >= 98%", agree >= 98.0, "%.2f%%" % agree)
        raw = os.path.join(a.scratch, "qdq_cnn_raw.npy")
        r = run([a.sim, "run", model, "--input", x_path, "--output", raw, "--raw"], timeout=120)
        if c.ok("run %s --raw" % name, r.rc == 0, r.describe()):
            lsb = np.abs(np.load(raw).astype(np.int32).reshape(ref_q.shape) - ref_q.astype(np.int32))
            print("INFO %s: output bytes equal PyTorch's on %.2f%%, within 1 LSB on %.2f%% (max %d)" % (
                name, 100 * (lsb == 0).mean(), 100 * (lsb <= 1).mean(), lsb.max()))
            c.ok(name + " output bytes within 1 LSB of PyTorch on >= 99%", (lsb <= 1).mean() >= 0.99,
                 "%.2f%%" % (100 * (lsb <= 1).mean()))
        # (a) every tensor a QuantizeLinear quantized has the model's scale and zero point.
        r = run([a.modelc, "inspect", model])
        seen = {}
        for line in r.out.splitlines():
            m = re.search(r"(?:-> |^input +|^output +)(\S+) Int8\[[^\]]*\] scale (\S+) zero_point (-?\d+)", line)
            if m:
                seen[m.group(1)] = (float(m.group(2)), int(m.group(3)))
        seen["logits.float"] = seen.get("logits")  # the graph output keeps the ONNX output's name
        for tensor, p in sorted(pinned.items()):
            have = seen.get(tensor)
            # inspect prints 6 significant digits
            c.ok("qdq_cnn int8 tensor %s has the QDQ parameters" % tensor,
                 have is not None and abs(have[0] - p["scale"]) <= 1e-5 * p["scale"] and have[1] == p["zero_point"],
                 "mote %s, QDQ %s" % (have, p))
        check_raw(a, c, model, few, name, "qdq_cnn", precision)
    # Without the pair after the global pool, its output needs calibration: refused by
    # name without, calibrated with (the pinned tensors unchanged).
    import onnx
    m = onnx.load(onnx_path)
    g = m.graph
    pair = [n for n in g.node if n.name.startswith("/GlobalAveragePool_output_0.")]
    dq_out, q_in = pair[1].output[0], pair[0].input[0]
    for n in g.node:
        n.input[:] = [q_in if i == dq_out else i for i in n.input]
    for n in pair:
        g.node.remove(n)
    partial = os.path.join(a.scratch, "qdq_cnn_partial.onnx")
    onnx.save(m, partial)
    model = os.path.join(a.scratch, "qdq_cnn_partial.mote")
    r = run([a.modelc, "convert", partial, "-o", model, "--precision", "int8"])
    c.ok("qdq_cnn without one pair: refused without calibration, naming the node",
         r.rc == 1 and "/GlobalAveragePool" in r.err and "calibration" in r.err, r.describe())
    calib = os.path.join(a.scratch, "qdq_cnn_calib.npy")
    np.save(calib, x[:50])
    r = run([a.modelc, "convert", partial, "-o", model, "--precision", "int8", "--calibration", calib])
    if c.ok("qdq_cnn without one pair: converts with calibration", r.rc == 0, r.describe()):
        r = run([a.modelc, "inspect", model])
        c.ok("qdq_cnn partial: pinned tensors keep their parameters, the unpinned one is calibrated",
             "/Relu_1_output_0 Int8[1,8,8,16] scale %.6g zero_point -128" % pinned["/Relu_1_output_0"]["scale"]
             in r.out and "/GlobalAveragePool_output_0 Int8" in r.out and
             "scale %.6g" % pinned["/GlobalAveragePool_output_0"]["scale"] not in r.out, r.out)


def qlinear_models(rng):
    """A QLinearConv (uint8 input, per-channel int8 weights, int32 bias, padding and stride) and a
    QLinearMatMul (int8, per-column weight scales), with numpy's integer reference of each: the
    exact sum, times s_x * s_w / s_y, rounded half to even, plus the output zero point."""
    from onnx import TensorProto, helper, numpy_helper
    models = []
    # QLinearConv: x [1,3,7,7] uint8 -> y [1,4,4,4] uint8 (kernel 3, stride 2, pads 1).
    xs, xz, ys, yz = np.float32(0.02), np.uint8(120), np.float32(0.05), np.uint8(110)
    w = rng.integers(-127, 128, size=(4, 3, 3, 3)).astype(np.int8)
    ws = rng.uniform(0.002, 0.01, size=4).astype(np.float32)
    b = rng.integers(-2000, 2000, size=4).astype(np.int32)
    inits = [numpy_helper.from_array(np.array(v), n) for v, n in
             ((xs, "xs"), (xz, "xz"), (ys, "ys"), (yz, "yz"), (w, "w"), (ws, "ws"),
              (np.zeros(4, np.int8), "wz"), (b, "b"))]
    node = helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz", "b"], ["y"],
                            name="qconv", pads=[1, 1, 1, 1], strides=[2, 2], kernel_shape=[3, 3])
    g = helper.make_graph([node], "qlinearconv", [helper.make_tensor_value_info("x", TensorProto.UINT8, [1, 3, 7, 7])],
                          [helper.make_tensor_value_info("y", TensorProto.UINT8, [1, 4, 4, 4])], initializer=inits)

    def conv_ref(x):
        xp = np.pad(x.astype(np.int64) - int(xz), ((0, 0), (0, 0), (1, 1), (1, 1)))
        acc = np.zeros((x.shape[0], 4, 4, 4), np.int64)
        for i in range(4):
            for j in range(4):
                patch = xp[:, :, 2 * i:2 * i + 3, 2 * j:2 * j + 3]
                acc[:, :, i, j] = np.einsum("nchw,ochw->no", patch, w.astype(np.int64))
        acc += b[None, :, None, None]
        m = (np.float32(xs) * ws / np.float32(ys)).astype(np.float32)[None, :, None, None]
        return np.clip(np.rint(acc.astype(np.float32) * m) + int(yz), 0, 255)

    models.append(("qlinearconv", g, (1, 3, 7, 7), np.uint8, xs, xz, ys, yz, conv_ref))
    # QLinearMatMul: a [1,16] int8 -> y [1,6] int8, per-column scales of b.
    a_s, a_z, ys2, yz2 = np.float32(0.03), np.int8(-5), np.float32(0.08), np.int8(3)
    bm = rng.integers(-127, 128, size=(16, 6)).astype(np.int8)
    bs = rng.uniform(0.005, 0.02, size=6).astype(np.float32)
    inits = [numpy_helper.from_array(np.array(v), n) for v, n in
             ((a_s, "as"), (a_z, "az"), (bm, "b"), (bs, "bs"), (np.zeros(6, np.int8), "bz"), (ys2, "ys"), (yz2, "yz"))]
    node = helper.make_node("QLinearMatMul", ["a", "as", "az", "b", "bs", "bz", "ys", "yz"], ["y"], name="qmatmul")
    g = helper.make_graph([node], "qlinearmatmul", [helper.make_tensor_value_info("a", TensorProto.INT8, [1, 16])],
                          [helper.make_tensor_value_info("y", TensorProto.INT8, [1, 6])], initializer=inits)

    def matmul_ref(x):
        acc = (x.astype(np.int64) - int(a_z)) @ bm.astype(np.int64)
        m = (np.float32(a_s) * bs / np.float32(ys2)).astype(np.float32)
        return np.clip(np.rint(acc.astype(np.float32) * m) + int(yz2), -128, 127)

    models.append(("qlinearmatmul", g, (1, 16), np.int8, a_s, a_z, ys2, yz2, matmul_ref))
    # A QDQ Conv1d + Relu (x [1,2,8] float with a pair, int8 weights per channel, a pair on the output):
    # its parameters survive the 1-D to 2-D lifting, so it converts without calibration.
    xs3, ys3, yz3 = np.float32(0.05), np.float32(0.02), np.int8(-128)
    w3 = rng.integers(-127, 128, size=(3, 2, 3)).astype(np.int8)
    ws3 = np.array([0.01, 0.02, 0.015], np.float32)
    inits = [numpy_helper.from_array(np.array(v), n) for v, n in
             ((xs3, "xs"), (np.int8(0), "xz"), (w3, "wq"), (ws3, "ws"), (np.zeros(3, np.int8), "wz"),
              (ys3, "ys"), (yz3, "yz"))]
    nodes = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
             helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
             helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["w"], axis=0),
             helper.make_node("Conv", ["xd", "w"], ["c"], pads=[1, 1], name="conv1d"),
             helper.make_node("Relu", ["c"], ["r"]),
             helper.make_node("QuantizeLinear", ["r", "ys", "yz"], ["rq"]),
             helper.make_node("DequantizeLinear", ["rq", "ys", "yz"], ["y"])]
    g = helper.make_graph(nodes, "qdq_conv1d", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 8])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 8])], initializer=inits)

    def conv1d_ref(q):
        xp = np.pad(q.astype(np.float32) * xs3, ((0, 0), (0, 0), (1, 1)))
        wf = w3.astype(np.float32) * ws3[:, None, None]
        c = np.stack([np.einsum("ncl,ocl->no", xp[:, :, i:i + 3], wf) for i in range(8)], axis=2)
        return np.clip(np.rint(np.maximum(c, 0) / ys3) + int(yz3), -128, 127)

    models.append(("qdq_conv1d", g, (1, 2, 8), np.int8, xs3, np.int8(0), ys3, yz3, conv1d_ref))
    return models


def check_qlinear(a, c):
    """QLinearConv, QLinearMatMul and a QDQ Conv1d to int8 without calibration (the runtime's
    Conv2D / FullyConnected on the model's own integers) against numpy's reference: every
    output within 1 LSB (the runtime requantizes with a fixed-point multiplier, ONNX in
    float), most equal."""
    import onnx
    from onnx import helper
    rng = np.random.default_rng(5)
    for name, g, shape, dtype, xs, xz, ys, yz, ref in qlinear_models(rng):
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 8
        onnx.checker.check_model(m)
        path = os.path.join(a.scratch, name + ".onnx")
        onnx.save(m, path)
        model = os.path.join(a.scratch, name + ".mote")
        r = run([a.modelc, "convert", path, "-o", model, "--precision", "int8"])
        if not c.ok("convert %s int8" % name, r.rc == 0, r.describe()):
            continue
        info = np.iinfo(dtype)
        q = rng.integers(info.min, int(info.max) + 1, size=(64,) + shape[1:]).astype(dtype)
        # Float inputs that quantize exactly to q with the input's parameters.
        x_path = os.path.join(a.scratch, name + "_x.npy")
        np.save(x_path, ((q.astype(np.float32) - int(xz)) * xs).astype(np.float32))
        out = os.path.join(a.scratch, name + "_y.npy")
        r = run([a.sim, "run", model, "--input", x_path, "--output", out, "--raw"])
        if not c.ok("run %s int8" % name, r.rc == 0, r.describe()):
            continue
        shift = 128 if dtype == np.uint8 else 0  # uint8 tensors are int8 with the zero point 128 lower
        got = np.load(out).astype(np.int64).reshape((64,) + ref(q[:1]).shape[1:]) + shift
        want = ref(q).astype(np.int64)
        d = np.abs(got - want)
        print("INFO %s int8: %.2f%% of outputs equal numpy's integer reference, max %d LSB" % (
            name, 100 * (d == 0).mean(), d.max()))
        c.ok("%s int8 within 1 LSB of the integer reference, >= 95%% equal" % name,
             d.max() <= 1 and (d == 0).mean() >= 0.95, "max %d LSB, %.2f%% equal" % (d.max(), 100 * (d == 0).mean()))
        few = os.path.join(a.scratch, name + "_few.npy")
        np.save(few, np.load(x_path)[:RAW_SAMPLES])
        check_raw(a, c, model, few, name + " int8", name, "int8")


def check_mask_and_pad_ops(a, c):
    """Pad reflect / edge / wrap, CumSum over the channels, Where and Greater on a 4-D tensor
    (stored NHWC by mote: the axes and constants move; a lower-rank computed operand is
    broadcast in NCHW), TopK over the height (int64 indices), against numpy, in float32."""
    import onnx
    from onnx import TensorProto, helper as h, numpy_helper as nh
    rng = np.random.default_rng(11)
    shape = [2, 3, 5, 6]
    consts = {"pads_hw": np.array([1, 2, 2, 1], np.int64), "axes_hw": np.array([2, 3], np.int64),
              "pads": np.array([0, 1, 1, 2, 0, 2, 3, 1], np.int64), "one": np.array(1, np.int64),
              "cut": np.array(0.25, np.float32), "fill": np.array(-1.0, np.float32),
              "two": np.array([2], np.int64)}
    nodes = [
        h.make_node("Pad", ["x", "pads_hw", "", "axes_hw"], ["reflect"], mode="reflect"),
        h.make_node("Pad", ["x", "pads"], ["edge"], mode="edge"),
        h.make_node("Pad", ["x", "pads"], ["wrap"], mode="wrap"),
        h.make_node("CumSum", ["x", "one"], ["cumsum"], reverse=1),
        h.make_node("Greater", ["x", "cut"], ["big"]),
        h.make_node("Where", ["big", "x", "fill"], ["where"]),
        h.make_node("ReduceMean", ["x"], ["mean0"], axes=[0], keepdims=0),  # [3, 5, 6]: computed, rank 3
        h.make_node("Greater", ["x", "mean0"], ["above"]),
        h.make_node("Where", ["above", "x", "mean0"], ["clamped"]),
        h.make_node("TopK", ["x", "two"], ["top", "top_index"], axis=2, largest=0),
    ]
    outs = ["reflect", "edge", "wrap", "cumsum", "where", "above", "clamped", "top", "top_index"]
    graph = h.make_graph(nodes, "mask_and_pad", [h.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                         [h.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outs],
                         [nh.from_array(v, k) for k, v in consts.items()])
    path = os.path.join(a.scratch, "mask_and_pad.onnx")
    onnx.save(h.make_model(graph, opset_imports=[h.make_opsetid("", 19)]), path)
    x = rng.normal(size=shape).astype(np.float32)
    full = ((0, 0), (1, 2), (1, 3), (2, 1))
    want = {"reflect": np.pad(x, ((0, 0), (0, 0), (1, 2), (2, 1)), mode="reflect"),
            "edge": np.pad(x, full, mode="edge"), "wrap": np.pad(x, full, mode="wrap"),
            "cumsum": np.flip(np.cumsum(np.flip(x, 1), 1), 1), "where": np.where(x > 0.25, x, -1.0)}
    mean0 = x.mean(0)
    order = np.argsort(x, axis=2, kind="stable")[:, :, :2]
    want.update({"above": (x > mean0).astype(np.float32), "clamped": np.where(x > mean0, x, mean0),
                 "top": np.take_along_axis(x, order, 2), "top_index": order})
    x_path, model = os.path.join(a.scratch, "mask_x.npy"), os.path.join(a.scratch, "mask_and_pad.mote")
    np.save(x_path, x)
    r = run([a.modelc, "convert", path, "-o", model, "--precision", "float32"])
    if c.ok("convert mask_and_pad", r.rc == 0, r.describe()):
        got = [os.path.join(a.scratch, "mask_%s.npy" % o) for o in outs]
        r = run([a.sim, "run", model, "--input", x_path] + sum((["--output", g] for g in got), []))
        if c.ok("run mask_and_pad", r.rc == 0, r.describe()):
            for o, g in zip(outs, got):
                y = np.load(g)
                c.ok("mask_and_pad %s matches numpy" % o,
                     y.shape == want[o].shape and np.allclose(y, want[o], atol=1e-5),
                     "shape %s vs %s" % (y.shape, want[o].shape))


def check_index_graph(a, c):
    """Computed indices: GatherElements and Gather by an int64 graph input (negative ids wrap),
    ArgMax / ArgMin feeding a Gather (an embedding row of the predicted class, the max itself),
    against numpy in float32; in int8 the same bytes on every board; an id out of range is a
    clear run-time error naming the op, never a read out of bounds."""
    import onnx
    from onnx import TensorProto, helper as h, numpy_helper as nh
    rng = np.random.default_rng(3)
    table = rng.normal(size=(8, 5)).astype(np.float32)
    nodes = [h.make_node("Relu", ["x"], ["r"]),
             h.make_node("GatherElements", ["r", "ids"], ["y1"], axis=1),
             h.make_node("ArgMax", ["x"], ["am"], axis=1, keepdims=1),
             h.make_node("Gather", ["table", "am"], ["y2"], axis=0),
             h.make_node("GatherElements", ["x", "am"], ["y3"], axis=-1),
             h.make_node("ArgMin", ["x"], ["an"], axis=0, keepdims=0),
             h.make_node("Gather", ["r", "an"], ["y4"], axis=1),
             h.make_node("Cast", ["ids"], ["ids32"], to=TensorProto.INT32),
             h.make_node("Gather", ["x", "ids32"], ["y5"], axis=-1)]
    outs = ["y1", "y2", "y3", "y4", "y5"]
    graph = h.make_graph(nodes, "index_graph", [h.make_tensor_value_info("x", TensorProto.FLOAT, [3, 8]),
                                                 h.make_tensor_value_info("ids", TensorProto.INT64, [3, 4])],
                         [h.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outs],
                         [nh.from_array(table, "table")])
    path = os.path.join(a.scratch, "index_graph.onnx")
    onnx.save(h.make_model(graph, opset_imports=[h.make_opsetid("", 13)]), path)
    x = rng.normal(size=(20, 3, 8)).astype(np.float32)
    ids = rng.integers(-8, 8, size=(20, 3, 4)).astype(np.int64)
    r_ = np.maximum(x, 0)
    am = x.argmax(2)[:, :, None]
    an = x.argmin(1)
    want = {"y1": np.take_along_axis(r_, ids % 8, 2), "y2": table[am], "y3": np.take_along_axis(x, am, 2),
            "y4": np.stack([r_[s][:, an[s]] for s in range(20)]),
            "y5": np.stack([x[s][:, ids[s] % 8] for s in range(20)])}
    paths = {k: os.path.join(a.scratch, "index_%s.npy" % k) for k in ("x", "ids")}
    np.save(paths["x"], x)
    np.save(paths["ids"], ids)
    for precision in ("float32", "int8"):
        model = os.path.join(a.scratch, "index_graph_%s.mote" % precision)
        r = run([a.modelc, "convert", path, "-o", model, "--precision", precision, "--calibration", paths["x"],
                 "--calibration", paths["ids"]])
        if not c.ok("convert index_graph %s" % precision, r.rc == 0, r.describe()):
            continue
        got = [os.path.join(a.scratch, "index_%s_%s.npy" % (o, precision)) for o in outs]
        r = run([a.sim, "run", model, "--input", paths["x"], "--input", paths["ids"]] +
                sum((["--output", g] for g in got), []))
        if not c.ok("run index_graph %s" % precision, r.rc == 0, r.describe()):
            continue
        if precision == "float32":
            for o, g in zip(outs, got):
                y = np.load(g)
                c.ok("index_graph %s matches numpy" % o, y.shape == want[o].shape and np.array_equal(y, want[o]),
                     "shape %s vs %s" % (y.shape, want[o].shape))
            continue
        # int8: ids pick exactly; the argmax of quantized values may differ on near-ties.
        y1 = np.load(got[0])
        c.ok("index_graph int8 y1 within one step", np.abs(y1 - want["y1"]).max() < 0.05,
             "max diff %g" % np.abs(y1 - want["y1"]).max())
        host = os.path.join(a.scratch, "index_raw_host.npy")
        r = run([a.sim, "run", model, "--input", paths["x"], "--input", paths["ids"], "--output", host, "--raw"])
        if not c.ok("raw index_graph host", r.rc == 0, r.describe()):
            continue
        for t in a.qemu_targets:
            other = os.path.join(a.scratch, "index_raw_%s.npy" % t)
            r = run([a.sim, "run", model, "--input", paths["x"], "--input", paths["ids"], "--output", other,
                     "--raw", "--target", t], timeout=120)
            if c.ok("run index_graph int8 on %s" % t, r.rc == 0, r.describe()):
                c.run("index_graph int8 bytes identical on %s" % t, compare_raw, host, other)
        bad = ids.copy()
        bad[4, 1, 2] = 8
        np.save(paths["ids"] + ".bad.npy", bad)
        for t in ["host"] + a.qemu_targets[:1]:
            r = run([a.sim, "run", model, "--input", paths["x"], "--input", paths["ids"] + ".bad.npy", "--output",
                     host, "--target", t], timeout=120)
            c.ok("index_graph: id out of range on %s is an error naming the op" % t,
                 r.rc != 0 and "gather index out of range" in r.err and "Traceback" not in r.err,
                 r.describe())


def main():
    a = parse_args(__doc__, "families")
    c = Checker()
    for folder, onnx_name in FAMILIES:
        check_family(a, c, folder, onnx_name)
    for folder, onnx_name in IMAGE_FAMILIES:
        check_family(a, c, folder, onnx_name, image=True)
    check_edge_cases(a, c)
    check_data_movement(a, c)
    check_torchvision_shufflenet(a, c)
    check_tflite_lstm(a, c)
    check_conv_transpose_1d(a, c)
    check_qdq(a, c)
    check_qlinear(a, c)
    check_mask_and_pad_ops(a, c)
    check_index_graph(a, c)
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
