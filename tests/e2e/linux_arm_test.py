"""Linux on small Arm boards: mote-sim --target linux-aarch64 and linux-armhf
(the runtime cross-built with Debian's compilers, run under qemu-user) give
the host's output bytes on every model family and precision."""
import os
import subprocess
import sys

import numpy as np

from e2e_common import Checker, parse_args, run

MODELS = [  # (folder, onnx file)
    ("digits_mlp", "digits_mlp.onnx"), ("digits_cnn", "digits_cnn.onnx"),
    ("sensor_cnn1d", "sensor_cnn1d.onnx"), ("activations_mlp", "activations_mlp.onnx"),
    ("mobilenet_v3_tiny", "mobilenet_v3_tiny.onnx"), ("shufflenet_v2_tiny", "shufflenet_v2_tiny.onnx"),
    ("tiny_transformer", "tiny_transformer.onnx"), ("gru_classifier", "gru_classifier.onnx"),
    ("lstm_classifier", "lstm_classifier.onnx"), ("conv_autoencoder", "conv_autoencoder.onnx"),
]


def main():
    a = parse_args(__doc__, "linux_arm_test")
    c = Checker()
    targets = [t for t in a.qemu_targets if t.startswith("linux-")]
    if not targets:
        print("no linux-* target given: nothing to check")
        print("0 passed, 0 failed")
        return 0
    jobs = []
    for folder, onnx_file in MODELS:
        d = os.path.join(a.repo, "models", folder)
        x = np.load(os.path.join(d, "test_x.npy"))[:8]
        x_path = os.path.join(a.scratch, folder + "_x.npy")
        np.save(x_path, x)
        for precision in ("int8", "int16", "float32"):
            jobs.append((folder + "_" + precision, os.path.join(d, onnx_file), x_path,
                         ["--calibration", os.path.join(d, "calib.npy"), "--precision", precision]))
    forest = os.path.join(a.repo, "..", "shared", "testdata", "onnx-ml", "iris_random_forest")
    if os.path.isdir(forest):  # a classic model: trees on the fixed-point grid, and in float32
        for precision in ("int8", "float32"):
            jobs.append(("iris_forest_" + precision, os.path.join(forest, "model.onnx"),
                         os.path.join(forest, "X_test.npy"),
                         ["--calibration", os.path.join(forest, "X_calib.npy"), "--precision", precision]))
    for name, model, x_path, args in jobs:
        mote = os.path.join(a.scratch, name + ".mote")
        r = run([a.modelc, "convert", model, "-o", mote] + args)
        if not c.ok("convert " + name, r.rc == 0, r.describe()):
            continue
        host = os.path.join(a.scratch, name + "_host.npy")
        r = run([a.sim, "run", mote, "--input", x_path, "--output", host, "--raw"])
        if not c.ok("host " + name, r.rc == 0, r.describe()):
            continue
        for t in targets:
            out = os.path.join(a.scratch, "%s_%s.npy" % (name, t))
            r = run([a.sim, "run", mote, "--input", x_path, "--output", out, "--raw", "--target", t], timeout=300)
            if c.ok("%s on %s" % (name, t), r.rc == 0, r.describe()):
                want, got = np.load(host, allow_pickle=False), np.load(out, allow_pickle=False)
                c.ok("%s on %s: the host's bytes" % (name, t),
                     want.dtype == got.dtype and want.shape == got.shape and want.tobytes() == got.tobytes(),
                     "differs")
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
