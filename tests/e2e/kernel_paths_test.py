#!/usr/bin/env -S /usr/bin/python3
"""A runtime built with one model's DSP kernel paths runs that model at full speed.

`modelc inspect --json` reports the DSP kernel paths a model takes
("kernel_paths", runtime/kernels/paths.h); a firmware may compile in only
those (MOTE_KERNEL_PATHS), as bench/code_size.py measures. The M4 runner in
MOTE_FIRMWARE_DIR (targets/firmware: firmware-kws-paths) is built with the
MLPerf Tiny KWS model's ops and paths, and MOTE_DIAGNOSTIC_VALUES=OFF.
This test checks that:

  - modelc still reports exactly that build's paths for KWS (so the build is
    the one a user following the report would make);
  - the runner's linker map lacks the paths left out (so the test cannot pass
    on a full build);
  - KWS gives the host's bytes there, in the instructions of the full M4
    runner (within 1%: a path that fell back to a reference kernel would
    cost several times more);
  - models that need a path left out (AD: interleaved rows for its
    FullyConnecteds; a depth multiplier of 2: the depthwise reference) are
    refused at load, naming it (the status and message, without values).
"""
import json
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, compare_raw, guarded, parse_args, run  # noqa: E402

MLPERF = os.path.join("..", "shared", "models", "mlperf-tiny")
KWS = "keyword_spotting/kws_ref_model.tflite"
AD = "anomaly_detection/ad01_int8.tflite"
LEFT_OUT = ["GeneralChannels", "DepthwiseGroupPass", "ConvGeneral", "SingleOutputs", "InterleavedRows",
            "reference10Conv2DInt8", "reference19DepthwiseConv2DInt8"]


def built_paths(firmware):
    cache = os.path.join(firmware, "cortex-m4", "CMakeCache.txt")
    m = re.search(r"^MOTE_KERNEL_PATHS:STRING=(.*)$", open(cache).read(), re.M)
    return m.group(1).split(";") if m else None


def instructions(profile_text):
    m = re.search(r"(\d+) instructions per inference", profile_text)
    return int(m.group(1)) if m else None


def run_profiled(a, mote, x, y, target, firmware=None):
    env_firmware = os.environ.get("MOTE_FIRMWARE_DIR")
    if firmware is None:
        os.environ.pop("MOTE_FIRMWARE_DIR", None)
    else:
        os.environ["MOTE_FIRMWARE_DIR"] = firmware
    try:
        return run([a.sim, "run", mote, "--input", x, "--output", y, "--raw", "--target", target,
                    "--profile"], timeout=300)
    finally:
        if env_firmware is not None:
            os.environ["MOTE_FIRMWARE_DIR"] = env_firmware


def multiplier_model(a, path):
    """A small int8 model whose depthwise conv (depth multiplier 2) takes the
    depthwise reference path."""
    import torch

    class ChannelsLast(torch.nn.Module):  # NHWC in: no layout op before the conv
        def forward(self, x):
            return x.permute(0, 3, 1, 2)

    torch.manual_seed(3)
    # Only the KWS build's ops, so that the path is what the runner lacks.
    net = torch.nn.Sequential(ChannelsLast(), torch.nn.Conv2d(4, 8, 3, padding=1, groups=4),
                              torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                              torch.nn.Linear(8, 4))
    onnx = path + ".onnx"
    torch.onnx.export(net.eval(), torch.randn(1, 6, 6, 4), onnx, opset_version=13)
    calib = path + "-calib.npy"
    np.save(calib, np.random.default_rng(3).standard_normal((16, 6, 6, 4)).astype(np.float32))
    return run([a.modelc, "convert", onnx, "-o", path, "--precision", "int8", "--calibration", calib],
               timeout=300)


def main():
    a = parse_args(__doc__, "kernel_paths")
    c = Checker()
    firmware = os.environ.get("MOTE_FIRMWARE_DIR", "")
    if not c.ok("paths runner", firmware and os.path.isdir(os.path.join(firmware, "cortex-m4")),
                "MOTE_FIRMWARE_DIR (firmware-kws-paths) not set or not built"):
        return c.finish()
    shared = os.path.join(a.repo, MLPERF)
    kws = os.path.join(a.scratch, "kws.mote")
    r = run([a.modelc, "convert", os.path.join(shared, KWS), "-o", kws], timeout=300)
    if not c.ok("convert KWS", r.rc == 0, r.describe()):
        return c.finish()
    info = json.loads(run([a.modelc, "inspect", kws, "--json"]).out)
    built = built_paths(firmware)
    c.ok("KWS's paths are the build's", info["kernel_paths"] == built,
         "modelc reports %s, the firmware was built with %s: update targets/firmware/CMakeLists.txt"
         % (info["kernel_paths"], built))
    # The map's part after its list of discarded (--gc-sections) input sections.
    runner_map = open(os.path.join(firmware, "cortex-m4", "bin", "mote-runner.map")).read()
    runner_map = runner_map[runner_map.find("Linker script and memory map"):]
    linked = [name for name in LEFT_OUT if name in runner_map]
    c.ok("paths left out are not linked", not linked, "the runner links %s" % linked)

    (inp,) = info["inputs"]
    x = os.path.join(a.scratch, "kws-x.npy")
    np.save(x, np.random.default_rng(11).integers(-128, 128, size=inp["shape"], dtype=np.int8))
    outs, counts = {}, {}
    for target, fw in (("host", None), ("cortex-m4", None), ("cortex-m4", firmware)):
        tag = target if fw is None else "cortex-m4 (KWS paths)"
        y = os.path.join(a.scratch, "kws-%s.npy" % tag.replace(" ", "_").replace("(", "").replace(")", ""))
        r = run_profiled(a, kws, x, y, target, fw)
        if c.ok("run KWS on " + tag, r.rc == 0, r.describe()):
            outs[tag] = y
            counts[tag] = instructions(r.out + r.err)
    for tag in ("cortex-m4", "cortex-m4 (KWS paths)"):
        if "host" in outs and tag in outs:
            c.run("KWS on %s == host" % tag, compare_raw, outs["host"], outs[tag])
    full, fitted = counts.get("cortex-m4"), counts.get("cortex-m4 (KWS paths)")
    if c.ok("instruction counts", full and fitted, "counts %s" % counts):
        c.ok("KWS as fast on its paths (%d vs %d instructions)" % (fitted, full),
             abs(fitted - full) <= full // 100, "differs by more than 1%")

    # Models needing a path the build left out: refused at load, by name.
    ad = os.path.join(a.scratch, "ad.mote")
    multiplier = os.path.join(a.scratch, "multiplier.mote")
    converted = [("AD", ad, run([a.modelc, "convert", os.path.join(shared, AD), "-o", ad],
                                timeout=300)),
                 ("a depth multiplier of 2", multiplier, multiplier_model(a, multiplier))]
    for name, mote, r in converted:
        if not c.ok("convert " + name, r.rc == 0, r.describe()):
            continue
        needs = json.loads(run([a.modelc, "inspect", mote, "--json"]).out)["kernel_paths"]
        missing = sorted(set(needs) - set(built))
        if not c.ok(name + " needs a path left out", missing, "needs %s" % needs):
            continue
        shape = json.loads(run([a.modelc, "inspect", mote, "--json"]).out)["inputs"][0]["shape"]
        xi = os.path.join(a.scratch, "refused-x.npy")
        np.save(xi, np.zeros(shape, dtype=np.float32))
        r = run_profiled(a, mote, xi, os.path.join(a.scratch, "refused-y.npy"), "cortex-m4", firmware)
        text = r.out + r.err
        c.ok("%s refused (needs %s)" % (name, ", ".join(missing)),
             r.rc == 1 and not r.crashed and "kernel path not compiled" in text
             and "unsupportedop" in text.lower().replace("_", "").replace(" ", ""), r.describe())
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
