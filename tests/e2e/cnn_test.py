#!/usr/bin/env -S /usr/bin/python3
"""The project-trained digits CNN (models/digits_cnn: Conv+BN+ReLU, depthwise,
residual Add, max pool, global mean, Linear; exported from PyTorch as NCHW ONNX)
converted by modelc's own quantization: int8 loses at most 1.0 accuracy point
against the PyTorch float model, int16 at most 0.3, float32 matches PyTorch's
logits; raw outputs are byte-identical on every QEMU target.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, board_too_small, compare_raw, guarded, parse_args, run  # noqa: E402


def main():
    a = parse_args(__doc__, "cnn")
    c = Checker()
    d = os.path.join(a.repo, "models", "digits_cnn")
    x, labels, ref = (os.path.join(d, f) for f in ("test_x.npy", "test_y.npy", "torch_logits.npy"))
    labels, ref = np.load(labels), np.load(ref)
    ref_acc = 100 * (ref.argmax(1) == labels).mean()
    few = os.path.join(a.scratch, "x_few.npy")
    np.save(few, np.load(x)[:8])
    for precision, max_drop in (("int8", 1.0), ("int16", 0.3), ("float32", 0.0)):
        model = os.path.join(a.scratch, "cnn_%s.mote" % precision)
        r = run([a.modelc, "convert", os.path.join(d, "digits_cnn.onnx"), "-o", model, "--calibration",
                 os.path.join(d, "calib.npy"), "--precision", precision], timeout=120)
        if not c.ok("convert %s" % precision, r.rc == 0, r.describe()):
            continue
        out = os.path.join(a.scratch, "y_%s.npy" % precision)
        r = run([a.sim, "run", model, "--input", x, "--output", out])
        if not c.ok("run %s" % precision, r.rc == 0, r.describe()):
            continue
        y = np.load(out)
        acc = 100 * (y.argmax(1) == labels).mean()
        print("INFO %s accuracy %.2f%% (PyTorch %.2f%%), max |logit - torch| %.4f" % (
            precision, acc, ref_acc, np.abs(y - ref).max()))
        c.ok("%s accuracy within %.1f point of PyTorch" % (precision, max_drop), ref_acc - acc <= max_drop + 1e-9,
             "%.2f vs %.2f" % (acc, ref_acc))
        if precision == "float32":
            c.ok("float32 logits match PyTorch", np.allclose(y, ref, atol=1e-4, rtol=1e-4),
                 "max diff %g" % np.abs(y - ref).max())
        host = os.path.join(a.scratch, "raw_%s_host.npy" % precision)
        r = run([a.sim, "run", model, "--input", few, "--output", host, "--raw"])
        c.ok("raw %s host" % precision, r.rc == 0, r.describe())
        for t in a.qemu_targets:
            other = os.path.join(a.scratch, "raw_%s_%s.npy" % (precision, t))
            r = run([a.sim, "run", model, "--input", few, "--output", other, "--raw", "--target", t], timeout=120)
            if board_too_small(r):
                c.skip("%s on %s" % (precision, t), "model does not fit the board's RAM")
                continue
            if c.ok("run %s on %s" % (precision, t), r.rc == 0, r.describe()):
                c.run("%s bytes identical on %s" % (precision, t), compare_raw, host, other)
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
