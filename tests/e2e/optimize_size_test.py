#!/usr/bin/env -S /usr/bin/python3
"""The M4 runtime built with MOTE_OPTIMIZE=size gives the host's bytes.

The size build (runtime/CMakeLists.txt) keeps only the DSP FullyConnected
pair path (pointwise convs through it) and hands interleaved FC layers, odd
last batches, other convs, depthwise, pooling and Add to the reference
kernels. Its runner (targets/firmware: firmware-optimize-size/cortex-m4, given
as MOTE_FIRMWARE_DIR) runs the four MLPerf Tiny int8 models on random int8
inputs, planned with the M4's scratch and without any (--cores cortex-m3: the
FC takes the reference for every batch); every output byte must equal the
host's. The runner's linker map must show the size build (the DSP pair path,
no 3x3 depthwise window pass), so the test cannot pass on a speed build.
"""
import json
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, compare_raw, guarded, parse_args, run  # noqa: E402

MODELS = [
    ("kws", "keyword_spotting/kws_ref_model.tflite"),
    ("vww", "visual_wake_words/vww_96_int8.tflite"),
    ("ic", "image_classification/pretrainedResnet_quant.tflite"),
    ("ad", "anomaly_detection/ad01_int8.tflite"),
]
SAMPLES = 2


def check_map(firmware):
    path = os.path.join(firmware, "cortex-m4", "bin", "mote-runner.map")
    if not os.path.isfile(path):
        return "no runner map at %s (build the firmware-cortex-m4-optimize-size target)" % path
    text = open(path).read()
    if "PairedBatches" not in text:
        return "the runner does not link the DSP FullyConnected pair path"
    if re.search(r"Window3x3Pass", text):
        return "the runner links the 3x3 depthwise window pass: not a MOTE_OPTIMIZE=size build"
    return None


def main():
    a = parse_args(__doc__, "optimize_size")
    c = Checker()
    firmware = os.environ.get("MOTE_FIRMWARE_DIR", "")
    if not c.ok("size runner", firmware and check_map(firmware) is None,
                check_map(firmware) if firmware else "MOTE_FIRMWARE_DIR not set"):
        return c.finish()
    shared = os.path.join(a.repo, "..", "shared", "models", "mlperf-tiny")
    rng = np.random.default_rng(7)
    for name, src in MODELS:
        for cores in ("cortex-m4", "cortex-m3"):
            tag = "%s planned for %s" % (name, cores)
            mote = os.path.join(a.scratch, "%s-%s.mote" % (name, cores))
            r = run([a.modelc, "convert", os.path.join(shared, src), "-o", mote, "--cores", cores],
                    timeout=300)
            if not c.ok("convert " + tag, r.rc == 0, r.describe()):
                continue
            info = json.loads(run([a.modelc, "inspect", mote, "--json"]).out)
            (inp,) = info["inputs"]
            if inp["type"] != "Int8":
                c.fail(tag, "input type %s, expected Int8" % inp["type"])
                continue
            x = rng.integers(-128, 128, size=[SAMPLES] + inp["shape"], dtype=np.int8)
            xp = os.path.join(a.scratch, "%s-%s-x.npy" % (name, cores))
            np.save(xp, x)
            outs = {}
            for target in ["host"] + a.qemu_targets:
                y = os.path.join(a.scratch, "%s-%s-%s.npy" % (name, cores, target))
                r = run([a.sim, "run", mote, "--input", xp, "--output", y, "--raw", "--target", target],
                        timeout=300)
                if c.ok("run %s on %s" % (tag, target), r.rc == 0, r.describe()):
                    outs[target] = y
            for target in a.qemu_targets:
                if "host" in outs and target in outs:
                    c.run("%s: %s == host" % (tag, target), compare_raw, outs["host"], outs[target])
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
