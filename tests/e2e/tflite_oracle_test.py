#!/usr/bin/env -S /usr/bin/python3
"""mote against an independent oracle of TFLite's reference integer kernels
(tests/e2e/tflite_reference.py), bit for bit, on the MLPerf Tiny int8 models in
../shared/models/mlperf-tiny (skipped when that folder is absent).

The oracle reads weights, biases, scales and zero points straight from the
.tflite file and computes the requantization multipliers as TFLite's Prepare
functions do: a per-tensor FULLY_CONNECTED from the float32 product of the
input and filter scales (GetQuantizedConvolutionMultipler), convolutions and
per-channel layers from double products. Nothing goes through modelc.

- Anomaly detection (ten per-tensor FULLY_CONNECTED layers): the 196 five-frame
  windows of the shipped spectrogram (quantized as TFLite's QUANTIZE does) and
  2048 random int8 rows (fixed seed); raw int8 outputs of the host and of every
  QEMU target equal the oracle's. The rows include some where the multiplier of
  the double product (what modelc used before) changes an output (issue 10:
  -21 where TFLite gives -22), so the check would catch that. The float32
  windows given to mote-sim as they are (it quantizes them) give the same.
- Keyword spotting, image classification (ResNet-8) and visual wake words
  (CONV_2D, DEPTHWISE_CONV_2D, per-channel; AVERAGE_POOL_2D, ADD, RESHAPE,
  FULLY_CONNECTED): the model is cut after each operator before the SOFTMAX
  (its outputs vector rewritten in a scratch copy of the .tflite) and every cut
  is compared on the host; the logits (the cut before SOFTMAX) also on every
  QEMU target. SOFTMAX itself is not in the oracle.
"""
import os
import struct
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, Skip, board_too_small, guarded, parse_args, run  # noqa: E402
import tflite_reference as ref  # noqa: E402

AD_RANDOM_ROWS = 2048
CNN_SAMPLES = {"kws": 8, "ic": 4, "vww": 2}  # random int8 inputs (plus KWS's shipped sample)
QEMU_CNN_SAMPLES = 2


def with_output(src, tensor, dst):
    """Writes a copy of the .tflite src whose (single) subgraph output is tensor."""
    with open(src, "rb") as f:
        buf = bytearray(f.read())
    root = ref.Table(bytes(buf), struct.unpack_from("<I", buf, 0)[0])
    pos = root.tables(2)[0]._target(2)  # SubGraph.outputs
    if struct.unpack_from("<I", buf, pos)[0] != 1:
        raise ValueError("%s has more than one output" % src)
    struct.pack_into("<i", buf, pos + 4, tensor)
    with open(dst, "wb") as f:
        f.write(buf)


def differences(got, want):
    """None if equal, else a description of the first mismatches."""
    got = np.asarray(got)
    if got.dtype != want.dtype or got.size != want.size:
        return "got %s%s, oracle %s%s" % (got.dtype, got.shape, want.dtype, want.shape)
    got = got.reshape(want.shape)
    bad = np.argwhere(got != want)
    if not len(bad):
        return None
    first = ", ".join("%s: mote %d oracle %d" % (tuple(int(i) for i in b), got[tuple(b)], want[tuple(b)])
                      for b in bad[:5])
    return "%d of %d elements differ (%s)" % (len(bad), want.size, first)


def main():
    a = parse_args(__doc__, "tflite_oracle")
    c = Checker()
    shared = os.path.join(a.repo, "..", "shared", "models", "mlperf-tiny")
    if not os.path.isdir(shared):
        c.skip("all", "MLPerf Tiny models not found at %s" % shared)
        return c.finish()
    w = a.scratch
    started = time.time()
    c.run("oracle: fixed-point primitives give their known values", ref.self_check)

    def convert(name, src):
        out = os.path.join(w, name + ".mote")
        r = run([a.modelc, "convert", src, "-o", out], timeout=300)
        if r.rc != 0:
            raise RuntimeError(r.describe())
        return out

    def simulate(name, model, x, target):
        xin = os.path.join(w, "%s_in.npy" % name)
        np.save(xin, x)
        out = os.path.join(w, "%s_%s.npy" % (name, target))
        r = run([a.sim, "run", model, "--input", xin, "--output", out, "--target", target, "--raw"], timeout=600)
        if board_too_small(r):
            return Skip("model does not fit %s's RAM" % target)
        if r.rc != 0:
            raise RuntimeError(r.describe())
        return np.load(out)

    def compare(label, name, model, x, want, target):
        def check():
            got = simulate(name, model, x, target)
            return got if isinstance(got, Skip) else differences(got, want)
        c.run("%s: mote on %s == oracle (%d x %d int8)" % (label, target, want.shape[0], want[0].size), check)

    # Anomaly detection.
    src = os.path.join(shared, "anomaly_detection", "ad01_int8.tflite")
    m = ref.Model(src)
    spec = np.fromfile(os.path.join(shared, "anomaly_detection", "samples",
                                    "normal_id_01_00000000_hist_librosa.bin"), "<f4").reshape(-1, 128)
    windows = np.stack([spec[i:i + 5].reshape(640) for i in range(len(spec) - 4)]).astype(np.float32)
    x = np.concatenate([ref.quantize(windows, m.tensors[m.inputs[0]]),
                        np.random.default_rng(0).integers(-128, 128, (AD_RANDOM_ROWS, 640)).astype(np.int8)])
    want = ref.run(m, x)[m.outputs[0]]
    old = ref.run(m, x, fc_float_product=False)[m.outputs[0]]
    moved = np.argwhere(old != want)
    print("INFO ad: %d rows; the double product of the scales would change %d output elements%s" % (
        len(x), len(moved), "".join(" [row %d element %d: %d instead of %d]" % (r_, e, old[r_, e], want[r_, e])
                                   for r_, e in moved[:4])))
    c.ok("ad: the inputs tell the float32 product of the scales from the double product", len(moved) > 0)
    ad = convert("ad", src)
    for t in ["host"] + a.qemu_targets:
        compare("ad", "ad", ad, x, want, t)
    # mote-sim quantizes float32 inputs itself: as TFLite's QUANTIZE does.
    compare("ad, float32 windows quantized by mote-sim", "ad_float", ad, windows, want[:len(windows)], "host")

    # The CNNs, cut after each operator up to the SOFTMAX.
    for name, f in [("kws", "keyword_spotting/kws_ref_model.tflite"),
                    ("ic", "image_classification/pretrainedResnet_quant.tflite"),
                    ("vww", "visual_wake_words/vww_96_int8.tflite")]:
        src = os.path.join(shared, f)
        m = ref.Model(src)
        shape = m.tensors[m.inputs[0]].shape
        x = np.random.default_rng(1).integers(-128, 128, [CNN_SAMPLES[name]] + shape[1:]).astype(np.int8)
        if name == "kws":
            sample = np.fromfile(os.path.join(shared, "keyword_spotting", "samples", "kws_input_data_0_int8.bin"),
                                 np.int8).reshape([1] + shape[1:])
            x = np.concatenate([sample, x])
        vals = ref.run(m, x, stop_before=ref.SOFTMAX)
        cuts = []
        for op in m.operators:
            if op.code == ref.SOFTMAX:
                break
            cuts.append((ref.OP_NAMES[op.code], op.outputs[0]))
        for k, (opname, tensor) in enumerate(cuts):
            cut = "%s_cut%02d" % (name, k)
            tfl = os.path.join(w, cut + ".tflite")
            with_output(src, tensor, tfl)
            want = vals[tensor]
            last = k == len(cuts) - 1
            label = "%s after op %d %s%s" % (name, k, opname, " (logits)" if last else "")

            def check(cut=cut, tfl=tfl, want=want):
                return differences(simulate(cut, convert(cut, tfl), x, "host"), want)
            c.run("%s: mote on host == oracle (%d x %d int8)" % (label, want.shape[0], want[0].size), check)
            if last:
                model = os.path.join(w, cut + ".mote")
                for t in a.qemu_targets:
                    compare(label, cut, model, x[:QEMU_CNN_SAMPLES], want[:QEMU_CNN_SAMPLES], t)
    print("INFO took %.1f s" % (time.time() - started))
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
