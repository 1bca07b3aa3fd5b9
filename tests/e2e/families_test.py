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
  - raw outputs of the first samples are byte-identical on every QEMU target.

    /usr/bin/python3 tests/e2e/families_test.py --bin build/host/bin --repo . --targets host,cortex-m4
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, board_too_small, compare_raw, guarded, parse_args, run  # noqa: E402

# (folder under models/, ONNX file): one per family.
FAMILIES = [
    ("sensor_cnn1d", "sensor_cnn1d.onnx"),  # Conv1d, BatchNorm1d, MaxPool1d, depthwise Conv1d, AvgPool1d
    ("activations_mlp", "activations_mlp.onnx"),  # Elu, Selu, Celu, Softplus, Gelu, Mish, SiLU, Log, Exp, ...
    ("mobilenet_v3_tiny", "mobilenet_v3_tiny.onnx"),  # inverted residuals, squeeze-excite, Hardswish/Hardsigmoid
]
MIN_AGREEMENT = {"int8": 98.0, "int16": 98.0}
# Families whose output is an image (reconstruction SQNR against PyTorch, dB).
IMAGE_FAMILIES = [
    ("conv_autoencoder", "conv_autoencoder.onnx"),  # ConvTranspose (strided, depthwise, dilated), Resize
]
MIN_SQNR = {"int8": 25.0, "int16": 40.0}
# Synthetic graphs around the 1-D ops (float32 against numpy), and a softmax
# over the width of an image, which must be refused rather than computed over
# the channels.
RAW_SAMPLES = 8


def check_family(a, c, folder, onnx_name, image=False):
    d = os.path.join(a.repo, "models", folder)
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
    # A softmax over an image's width, NCHW axis 3.
    w2 = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    graph = h.make_graph([h.make_node("Conv", ["x", "w"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                          h.make_node("Softmax", ["c"], ["y"], axis=-1)], "width_softmax",
                         [h.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 6, 5])],
                         [h.make_tensor_value_info("y", TensorProto.FLOAT, None)], [nh.from_array(w2, "w")])
    path = os.path.join(a.scratch, "width_softmax.onnx")
    onnx.save(h.make_model(graph, opset_imports=[h.make_opsetid("", 13)]), path)
    model = os.path.join(a.scratch, "width_softmax.mote")
    r = run([a.modelc, "convert", path, "-o", model, "--precision", "float32"])
    c.ok("softmax over an image's width is refused by name", r.rc != 0 and "Softmax" in r.err and
         not os.path.exists(model), r.describe())


def main():
    a = parse_args(__doc__, "families")
    c = Checker()
    for folder, onnx_name in FAMILIES:
        check_family(a, c, folder, onnx_name)
    for folder, onnx_name in IMAGE_FAMILIES:
        check_family(a, c, folder, onnx_name, image=True)
    check_edge_cases(a, c)
    check_conv_transpose_1d(a, c)
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
