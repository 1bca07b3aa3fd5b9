#!/usr/bin/env -S /usr/bin/python3
"""ONNX opset 17 signal ops (issue 13 item 2a), end to end against numpy.

A log-mel graph written with onnx.helper the way an exporter spells it:
HannWindow(size) -> STFT(signal, frame_step, window) -> Gather the real and
imaginary parts -> power -> MatMul by MelWeightMatrix(...) -> Add -> Log.
The window and the mel matrix fold to constants; the STFT becomes a
StridedGather (framing) and a FullyConnected by the windowed DFT matrix.
Its oracle is numpy: np.fft.rfft of the framed, windowed signal and ONNX's
MelWeightMatrix algorithm, in float64, on chirps plus noise it was not
calibrated on.
  - float32: within 1e-4 of the largest |feature| (relative);
  - int8 and int16: SQNR against numpy above a floor (printed);
  - a DFT (axis 1 of [2, 32, 3, 2], complex, inverse, dft_length 40 padded)
    alone against np.fft.ifft: float32 within 1e-5 (relative), int16 and int8
    SQNR above a floor (printed);
  - a complex, two-sided STFT with a given window against np.fft.fft;
  - the same bytes on every QEMU target given.

    /usr/bin/python3 tests/e2e/onnx_signal_test.py --bin build/host/bin --repo . --targets host,cortex-m4
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, board_too_small, compare_raw, guarded, parse_args, run  # noqa: E402

N_FFT, HOP, SAMPLES, MELS, RATE, F_LO, F_HI, OFFSET = 256, 128, 2048, 20, 16000, 20.0, 8000.0, 1.0
# Of the mel power (the int16 model's FullyConnected keeps 8-bit weights: the
# DFT matrix's quantization bounds it). The quantized log-mel's SQNR is
# printed: a Log table over the power's whole range is coarse near the
# offset (the --frontend Spectrogram's fused log is the accurate path).
SQNR_FLOOR_DB = {"int16": 45.0, "int8": 25.0}
DFT_SQNR_FLOOR_DB = {"int16": 45.0, "int8": 30.0}


def const(name, v, dtype):
    return numpy_helper.from_array(np.array(v, dtype=dtype), name)


def logmel_model(path):
    nodes = [
        helper.make_node("HannWindow", ["n_fft"], ["window"]),
        helper.make_node("STFT", ["signal", "hop", "window"], ["spec"]),
        helper.make_node("Gather", ["spec", "zero"], ["re"], axis=-1),
        helper.make_node("Gather", ["spec", "one"], ["im"], axis=-1),
        helper.make_node("Mul", ["re", "re"], ["re2"]),
        helper.make_node("Mul", ["im", "im"], ["im2"]),
        helper.make_node("Add", ["re2", "im2"], ["power"]),
        helper.make_node("MelWeightMatrix", ["mels", "n_fft", "rate", "f_lo", "f_hi"], ["melw"]),
        helper.make_node("MatMul", ["power", "melw"], ["mel"]),
        helper.make_node("Add", ["mel", "offset"], ["mel1"]),
        helper.make_node("Log", ["mel1"], ["logmel"]),
    ]
    inits = [const("n_fft", N_FFT, np.int64), const("hop", HOP, np.int64), const("zero", 0, np.int64),
             const("one", 1, np.int64), const("mels", MELS, np.int64), const("rate", RATE, np.int64),
             const("f_lo", F_LO, np.float32), const("f_hi", F_HI, np.float32),
             const("offset", OFFSET, np.float32)]
    g = helper.make_graph(nodes, "logmel", [helper.make_tensor_value_info("signal", TensorProto.FLOAT, [1, SAMPLES, 1])],
                          [helper.make_tensor_value_info("mel1", TensorProto.FLOAT, None),
                           helper.make_tensor_value_info("logmel", TensorProto.FLOAT, None)], inits)
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


def dft_model(path):
    node = helper.make_node("DFT", ["x", "len"], ["y"], axis=1, inverse=1)
    g = helper.make_graph([node], "idft", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 32, 3, 2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                          [const("len", 40, np.int64)])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


def mel_matrix():
    """ONNX's opset 17 MelWeightMatrix (its node test's reference), in numpy."""
    bins = N_FFT // 2 + 1
    edges = np.arange(MELS + 2)
    lo, hi = 2595 * np.log10(1 + F_LO / 700), 2595 * np.log10(1 + F_HI / 700)
    edges = 700 * (np.power(10, (edges * (hi - lo) / (MELS + 2) + lo) / 2595) - 1)
    edges = (((N_FFT + 1) * edges) // RATE).astype(int)
    w = np.zeros((bins, MELS))
    for m in range(MELS):
        left, center, right = edges[m], edges[m + 1], edges[m + 2]
        if center == left:
            w[center, m] = 1
        else:
            w[left:center + 1, m] = (np.arange(left, center + 1) - left) / (center - left)
        if right > center:
            w[center:right, m] = (right - np.arange(center, right)) / (right - center)
    return w


def logmel_numpy(x):
    """x: [samples] -> (mel power + offset, its log), [frames, MELS] each, float64."""
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)  # periodic Hann
    frames = 1 + (len(x) - N_FFT) // HOP
    framed = np.stack([x[f * HOP:f * HOP + N_FFT] for f in range(frames)]).astype(np.float64)
    power = np.abs(np.fft.rfft(framed * window, axis=1)) ** 2
    mel = power @ mel_matrix() + OFFSET
    return mel, np.log(mel)


def signals(seed, count):
    rng = np.random.default_rng(seed)
    t = np.arange(SAMPLES) / RATE
    out = []
    for _ in range(count):
        s = sum(rng.uniform(0.05, 0.3) * np.sin(2 * np.pi * f * t * (1 + rng.uniform(-0.5, 0.5) * t))
                for f in rng.uniform(80, 6000, 4))
        out.append(s + rng.uniform(0.002, 0.05) * rng.standard_normal(SAMPLES))
    return np.array(out, np.float32)[:, None, :, None]


def sqnr_db(want, got):
    noise = np.sum((got - want) ** 2)
    return float("inf") if noise == 0 else 10 * np.log10(np.sum(want ** 2) / noise)


def convert(a, c, name, model, calib, precision):
    out = os.path.join(a.scratch, name + ".mote")
    r = run([a.modelc, "convert", model, "-o", out, "--calibration", calib, "--precision", precision], timeout=120)
    return out if c.ok("convert " + name, r.rc == 0, r.describe()) else None


def sim(a, c, what, model, x, target="host", raw=False):
    path = os.path.join(a.scratch, "in_%s.npy" % what)
    np.save(path, x)
    out = os.path.join(a.scratch, "out_%s_%s%s.npy" % (what, target, "_raw" if raw else ""))
    cmd = [a.sim, "run", model, "--input", path, "--output", out] + (["--raw"] if raw else [])
    if target != "host":
        cmd += ["--target", target]
    r = run(cmd, timeout=180)
    if target != "host" and board_too_small(r):
        c.skip("%s on %s" % (what, target), "model does not fit the board's RAM")
        return None
    if not c.ok("run %s on %s" % (what, target), r.rc == 0, r.describe()):
        return None
    return out


def check_logmel(a, c):
    model = os.path.join(a.scratch, "logmel.onnx")
    logmel_model(model)
    calib = os.path.join(a.scratch, "calib.npy")
    np.save(calib, signals(1, 16))
    x = signals(2, 6)
    pairs = [logmel_numpy(s[0, :, 0].astype(np.float64)) for s in x]
    want_mel, want = np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])
    for precision in ("float32", "int16", "int8"):
        mote = convert(a, c, "logmel_" + precision, model, calib, precision)
        if mote is None:
            continue
        out = sim(a, c, "logmel_" + precision, mote, x)
        if out is None:
            continue
        got_mel = np.load(out).reshape(want.shape).astype(np.float64)
        got = np.load(out[:-4] + "_logmel.npy").reshape(want.shape).astype(np.float64)
        if precision == "float32":
            for what, w, g in (("mel power", want_mel, got_mel), ("log-mel", want, got)):
                rel = np.max(np.abs(g - w)) / np.max(np.abs(w))
                print("  float32 %s: max |error| / max |value| = %.3g" % (what, rel))
                c.ok("float32 %s within 1e-4 of numpy (relative)" % what, rel <= 1e-4, "relative error %.3g" % rel)
        else:
            db = sqnr_db(want_mel, got_mel)
            print("  %s: mel power SQNR %.1f dB, log-mel SQNR %.1f dB against numpy" % (precision, db, sqnr_db(want, got)))
            c.ok("%s mel power SQNR >= %.0f dB" % (precision, SQNR_FLOOR_DB[precision]),
                 db >= SQNR_FLOOR_DB[precision], "%.1f dB" % db)
        host = sim(a, c, "logmel_%s_raw" % precision, mote, x, raw=True)
        for t in a.qemu_targets:
            other = sim(a, c, "logmel_%s_raw" % precision, mote, x, t, raw=True)
            if host is not None and other is not None:
                c.run("logmel %s bytes identical on %s" % (precision, t), compare_raw, host, other)


def check_dft(a, c):
    model = os.path.join(a.scratch, "idft.onnx")
    dft_model(model)
    rng = np.random.default_rng(3)
    calib = os.path.join(a.scratch, "dft_calib.npy")
    np.save(calib, rng.standard_normal((4, 2, 32, 3, 2)).astype(np.float32))
    x = rng.standard_normal((2, 32, 3, 2)).astype(np.float32)
    z = x[..., 0].astype(np.float64) + 1j * x[..., 1]
    y = np.fft.ifft(z, n=40, axis=1)
    want = np.stack([y.real, y.imag], axis=-1)
    for precision in ("float32", "int16", "int8"):
        mote = convert(a, c, "idft_" + precision, model, calib, precision)
        out = sim(a, c, "idft_" + precision, mote, x) if mote else None
        if out is None:
            continue
        got = np.load(out).reshape(want.shape)
        if precision == "float32":
            rel = np.max(np.abs(got - want)) / np.max(np.abs(want))
            print("  inverse DFT float32: max |error| / max |value| = %.3g" % rel)
            c.ok("inverse DFT (axis 1, dft_length 40) within 1e-5 of np.fft.ifft", rel <= 1e-5, "relative %.3g" % rel)
        else:
            db = sqnr_db(want, got)
            print("  inverse DFT %s: SQNR %.1f dB against np.fft.ifft" % (precision, db))
            c.ok("inverse DFT %s SQNR >= %.0f dB" % (precision, DFT_SQNR_FLOOR_DB[precision]),
                 db >= DFT_SQNR_FLOOR_DB[precision], "%.1f dB" % db)


def check_complex_stft(a, c):
    """A complex signal, a Hamming window given as data, onesided=0, batch 2."""
    window = np.hamming(20).astype(np.float32)
    node = helper.make_node("STFT", ["x", "step", "window"], ["y"], onesided=0)
    g = helper.make_graph([node], "cstft", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 100, 2])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                          [const("step", 7, np.int64), const("window", window, np.float32)])
    model = os.path.join(a.scratch, "cstft.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), model)
    x = np.random.default_rng(4).standard_normal((2, 100, 2)).astype(np.float32)
    calib = os.path.join(a.scratch, "cstft_calib.npy")
    np.save(calib, x[None])
    mote = convert(a, c, "cstft_float32", model, calib, "float32")
    out = sim(a, c, "cstft_float32", mote, x) if mote else None
    if out is None:
        return
    z = x[..., 0].astype(np.float64) + 1j * x[..., 1]
    framed = np.stack([z[:, f * 7:f * 7 + 20] * window for f in range(1 + (100 - 20) // 7)], axis=1)
    y = np.fft.fft(framed, axis=-1)
    want = np.stack([y.real, y.imag], axis=-1)
    got = np.load(out).reshape(want.shape)
    rel = np.max(np.abs(got - want)) / np.max(np.abs(want))
    c.ok("complex two-sided STFT within 1e-5 of numpy (relative)", rel <= 1e-5, "relative %.3g" % rel)


def check_refusals(a, c):
    # A computed window: the DFT matrix it is folded into must be a constant.
    node = helper.make_node("STFT", ["signal", "hop", "window"], ["y"])
    g = helper.make_graph([node], "bad", [helper.make_tensor_value_info("signal", TensorProto.FLOAT, [1, 64, 1]),
                                          helper.make_tensor_value_info("window", TensorProto.FLOAT, [16])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], [const("hop", 8, np.int64)])
    path = os.path.join(a.scratch, "bad.onnx")
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
    r = run([a.modelc, "convert", path, "-o", os.path.join(a.scratch, "bad.mote"), "--precision", "float32"])
    c.ok("a computed window is refused by name", r.rc != 0 and "window" in r.err and "constant" in r.err,
         r.err[-300:])


def main():
    a = parse_args(__doc__, "onnx_signal_test")
    c = Checker()
    check_logmel(a, c)
    check_dft(a, c)
    check_complex_stft(a, c)
    check_refusals(a, c)
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
