#!/usr/bin/env -S /usr/bin/python3
"""The MLPerf Tiny reference models (../shared/models/mlperf-tiny) end to end.

Also modelc's own int8 quantization of the float32 models (IC, VWW, AD).

For each benchmark: the int8 .tflite converts with its quantization kept, the
float32 .tflite converts, both run on the host and on every QEMU target with
byte-identical outputs, and the int8 model agrees with the float32 model:
same predicted class on the KWS sample and on synthetic IC/VWW images; for
the anomaly detector, the score (mean squared reconstruction error over the
5-frame windows of the shipped spectrogram) of the int8 model is within 2% of
the same int8 model run in float, and modelc's own int8 quantization of the
float32 model is within 2% of the float32 model's score.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, Skip, board_too_small, compare_raw, guarded, load_json, parse_args, run  # noqa: E402

QEMU_SAMPLES = 2  # per model and target; the host runs all samples


def smooth_images(n, h, w, c, seed):
    """Low-frequency synthetic images in [0, 1] (no test images ship with IC/VWW)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    out = np.zeros((n, h, w, c), np.float32)
    for i in range(n):
        for ch in range(c):
            for _ in range(4):
                fy, fx, ph = rng.uniform(0, 4, 3)
                out[i, :, :, ch] += np.cos(2 * np.pi * (fy * yy + fx * xx) + ph * 6)
    out -= out.min(axis=(1, 2, 3), keepdims=True)
    out /= out.max(axis=(1, 2, 3), keepdims=True)
    return out


def main():
    a = parse_args(__doc__, "mlperf")
    c = Checker()
    shared = os.path.join(a.repo, "..", "shared", "models", "mlperf-tiny")
    if not os.path.isdir(shared):
        c.fail("setup", "MLPerf Tiny models not found at %s" % shared)
        return c.finish()
    w = a.scratch

    def convert(name, src, extra):
        out = os.path.join(w, name + ".mote")
        rep = os.path.join(w, name + ".json")
        r = run([a.modelc, "convert", os.path.join(shared, src), "-o", out, "--report", rep] + extra, timeout=300)
        if r.rc != 0:
            c.fail("convert " + name, r.describe())
            return None
        j = load_json(rep)
        print("INFO %s: arena %d (lower bound %d) bytes, weights %d bytes, file %d bytes, %d MACs" % (
            name, j["arena_bytes"], j["arena_lower_bound_bytes"], j["weight_bytes"], j["file_bytes"],
            j["total_macs"]))
        c.ok("convert " + name, j["arena_bytes"] >= j["arena_lower_bound_bytes"] > 0)
        return out

    def simulate(name, model, x, target="host", raw=False):
        xin = os.path.join(w, "%s_in_%d.npy" % (name, len(x)))
        np.save(xin, x)
        out = os.path.join(w, "%s_%s%s_%d.npy" % (name, target, "_raw" if raw else "", len(x)))
        r = run([a.sim, "run", model, "--input", xin, "--output", out, "--target", target] + (["--raw"] if raw else []),
                timeout=600)
        if board_too_small(r):
            return Skip("model does not fit %s's RAM" % target)
        if r.rc != 0:
            raise RuntimeError(r.describe())
        return out

    def cross_target(name, model, x):
        host = simulate(name, model, x[:QEMU_SAMPLES], raw=True)
        for t in a.qemu_targets:
            def check(t=t):
                out = simulate(name, model, x[:QEMU_SAMPLES], t, raw=True)
                return out if isinstance(out, Skip) else compare_raw(host, out)
            c.run("%s bytes identical on %s" % (name, t), check)

    # Keyword spotting: the shipped int8 MFCC sample.
    kws8 = convert("kws_int8", "keyword_spotting/kws_ref_model.tflite", [])
    kwsf = convert("kws_float", "keyword_spotting/kws_ref_model_float32.tflite", ["--precision", "float32"])
    if kws8 and kwsf:
        q = np.fromfile(os.path.join(shared, "keyword_spotting/samples/kws_input_data_0_int8.bin"), np.int8)
        q = q.reshape(1, 49, 10, 1)
        # The float model takes the same features in real units (the int8 input's parameters).
        info = load_json_inspect(a, kws8)["inputs"][0]
        real = (info["scale"] * (q.astype(np.float32) - info["zero_point"])).astype(np.float32)
        p8 = np.load(simulate("kws_int8", kws8, q))
        pf = np.load(simulate("kws_float", kwsf, real))
        print("INFO kws: int8 class %d (p=%.3f), float class %d (p=%.3f)" % (p8.argmax(), p8.max(), pf.argmax(), pf.max()))
        c.ok("kws int8 class equals float32 class", p8.argmax() == pf.argmax(), "%d vs %d" % (p8.argmax(), pf.argmax()))
        cross_target("kws_int8", kws8, q)
        cross_target("kws_float", kwsf, real)

    # Image classification (ResNet-8, inputs 0..255) and visual wake words (0..1).
    for name, int8_src, float_src, shape, scale, seed in [
            ("ic", "image_classification/pretrainedResnet_quant.tflite",
             "image_classification/pretrainedResnet.tflite", (32, 32, 3), 255.0, 1),
            ("vww", "visual_wake_words/vww_96_int8.tflite", "visual_wake_words/vww_96_float.tflite",
             (96, 96, 3), 1.0, 2)]:
        m8 = convert(name + "_int8", int8_src, [])
        mf = convert(name + "_float", float_src, ["--precision", "float32"])
        if not (m8 and mf):
            continue
        x = smooth_images(8, *shape, seed) * scale
        p8 = np.load(simulate(name + "_int8", m8, x))
        pf = np.load(simulate(name + "_float", mf, x))
        # Synthetic images are far from the training data; where the float model
        # is undecided (top-1 margin below 0.2) a flip is no evidence of a bug.
        top2 = np.sort(pf, axis=1)[:, -2:]
        decided = (top2[:, 1] - top2[:, 0]) >= 0.2
        agree = p8.argmax(1) == pf.argmax(1)
        print("INFO %s: classes int8 %s float %s (float margins %s), max |p diff| %.3f" % (
            name, p8.argmax(1).tolist(), pf.argmax(1).tolist(), np.round(top2[:, 1] - top2[:, 0], 2).tolist(),
            np.abs(p8 - pf).max()))
        c.ok("%s int8 class equals float32 class on the %d decided images (%d/%d agree overall)" % (
            name, decided.sum(), agree.sum(), len(agree)), decided.sum() >= 4 and agree[decided].all(),
            "disagree on decided images %s" % np.flatnonzero(decided & ~agree).tolist())
        cross_target(name + "_int8", m8, x)
        cross_target(name + "_float", mf, x)
        # modelc's own int8 quantization of the float model, calibrated on other synthetic images.
        calib = os.path.join(w, name + "_calib.npy")
        np.save(calib, smooth_images(16, *shape, seed + 100) * scale)
        own = convert(name + "_modelc_int8", float_src, ["--calibration", calib])
        if own:
            po = np.load(simulate(name + "_modelc_int8", own, x))
            agree = po.argmax(1) == pf.argmax(1)
            c.ok("%s modelc int8 class equals float32 class on the decided images (%d/%d agree overall)" % (
                name, agree.sum(), len(agree)), agree[decided].all(),
                "disagree on decided images %s" % np.flatnonzero(decided & ~agree).tolist())

    # Anomaly detection: 5-frame windows (640 values) of the shipped log-mel spectrogram.
    ad8 = convert("ad_int8", "anomaly_detection/ad01_int8.tflite", [])
    adf = convert("ad_float", "anomaly_detection/ad01_fp32.tflite", ["--precision", "float32"])
    ad8f = convert("ad_int8_as_float", "anomaly_detection/ad01_int8.tflite", ["--precision", "float32"])
    spec = np.fromfile(os.path.join(shared, "anomaly_detection/samples/normal_id_01_00000000_hist_librosa.bin"),
                       "<f4").reshape(-1, 128)
    x = np.stack([spec[i:i + 5].reshape(640) for i in range(len(spec) - 4)]).astype(np.float32)
    calib = os.path.join(w, "ad_calib.npy")
    np.save(calib, x[::4])
    adq = convert("ad_modelc_int8", "anomaly_detection/ad01_fp32.tflite", ["--calibration", calib])
    if ad8 and adf and ad8f and adq:
        score = {}
        for name, m in [("int8", ad8), ("fp32", adf), ("int8_in_float", ad8f), ("modelc_int8", adq)]:
            score[name] = float(((x - np.load(simulate("ad_" + name, m, x))) ** 2).mean())
        rel = lambda s, ref: abs(s - ref) / ref  # noqa: E731
        print("INFO ad scores: %s; reference int8 vs fp32 %.2f%%" % (
            ", ".join("%s %.4f" % kv for kv in score.items()), 100 * rel(score["int8"], score["fp32"])))
        c.ok("ad int8 arithmetic within 2%% of the same model in float (%.2f%%)" % (
            100 * rel(score["int8"], score["int8_in_float"])), rel(score["int8"], score["int8_in_float"]) < 0.02)
        c.ok("ad modelc int8 within 2%% of the fp32 score (%.2f%%)" % (100 * rel(score["modelc_int8"], score["fp32"])),
             rel(score["modelc_int8"], score["fp32"]) < 0.02)
        cross_target("ad_int8", ad8, x)
        cross_target("ad_float", adf, x)
    return c.finish()


def load_json_inspect(a, model):
    import json
    r = run([a.modelc, "inspect", model, "--json"])
    return json.loads(r.out)


if __name__ == "__main__":
    sys.exit(guarded(main))
