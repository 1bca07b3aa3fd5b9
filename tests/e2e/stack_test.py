#!/usr/bin/env -S /usr/bin/python3
"""The stack bound modelc states, against the stack the runtime really uses on
every QEMU Cortex-M target.

For each model (digits MLP int8 and float32, digits CNN int8, the skl2onnx iris
random forest, the MLPerf Tiny keyword-spotting and ResNet-8 int8 models when
../shared/models/mlperf-tiny is present): `modelc convert --report --selftest`
states the worst-case stack per CPU (the report's "stack" array, from
tools/modelc/plan/kernel_stack_table.inc); `mote-sim run --target <cpu>
--profile` runs the runner firmware, which paints the stack below main's stack
pointer before each runtime call and reads back how deep Model::Load,
Interpreter::Create, SelfTest and every Invoke went. Checks: every measured
call fits the stated bound for that CPU, and the bound is not loose by more
than a factor of two (the ratio is printed). The report's figures must also
be the maximum of its per-op rows and the fixed row, and --max-stack must fail
by the stated excess.
"""
import json
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, Skip, board_too_small, guarded, load_json, parse_args, run  # noqa: E402

SAMPLES = 2          # per model and target (Invoke is measured on each)
MIN_RATIO = 0.5      # measured / bound: the bound must not be looser than this
STACK_RE = re.compile(r"target (\S+): runtime stack (\d+) bytes \(load (\d+), create (\d+), "
                      r"self-test (\d+), invoke (\d+)\)( or more)?")


def inspect(a, model):
    r = run([a.modelc, "inspect", model, "--json"])
    if r.rc != 0:
        raise RuntimeError(r.describe())
    return json.loads(r.out)


def main():
    a = parse_args(__doc__, "stack")
    c = Checker()
    w = a.scratch
    shared = os.path.join(a.repo, "..", "shared")
    models = []  # (name, source, convert args, input .npy)

    d = os.path.join(a.repo, "models", "digits_mlp")
    for precision in ("int8", "float32"):
        models.append(("digits_mlp_" + precision, os.path.join(d, "digits_mlp.onnx"),
                       ["--calibration", os.path.join(d, "calib.npy"), "--precision", precision,
                        "--selftest", "2"], os.path.join(d, "test_x.npy")))
    d = os.path.join(a.repo, "models", "digits_cnn")
    models.append(("digits_cnn_int8", os.path.join(d, "digits_cnn.onnx"),
                   ["--calibration", os.path.join(d, "calib.npy"), "--selftest", "2"],
                   os.path.join(d, "test_x.npy")))
    d = os.path.join(shared, "testdata", "onnx-ml", "iris_random_forest")
    if os.path.isdir(d):
        models.append(("iris_forest", os.path.join(d, "model.onnx"),
                       ["--calibration", os.path.join(d, "X_calib.npy"), "--selftest", "2"],
                       os.path.join(d, "X_test.npy")))
    else:
        c.skip("iris forest", "%s not found" % d)
    mlperf = os.path.join(shared, "models", "mlperf-tiny")
    if os.path.isdir(mlperf):
        kws = np.fromfile(os.path.join(mlperf, "keyword_spotting", "samples", "kws_input_data_0_int8.bin"),
                          np.int8).reshape(1, 49, 10, 1)
        kws_x = os.path.join(w, "kws_x.npy")
        np.save(kws_x, np.concatenate([kws] * SAMPLES))
        kws_model = os.path.join(mlperf, "keyword_spotting", "kws_ref_model.tflite")
        # Self-test vectors need calibration samples in real units (the int8 input's parameters).
        probe = os.path.join(w, "kws_probe.mote")
        r = run([a.modelc, "convert", kws_model, "-o", probe], timeout=300)
        if c.ok("convert kws probe", r.rc == 0, r.describe()):
            info = inspect(a, probe)["inputs"][0]
            kws_real = os.path.join(w, "kws_real.npy")
            np.save(kws_real, (info["scale"] * (np.load(kws_x).astype(np.float32) - info["zero_point"]))
                    .astype(np.float32))
            models.append(("mlperf_kws_int8", kws_model, ["--calibration", kws_real, "--selftest", "2"], kws_x))
        ic_x = os.path.join(w, "ic_x.npy")
        rng = np.random.default_rng(0)
        np.save(ic_x, rng.uniform(0, 255, (SAMPLES, 32, 32, 3)).astype(np.float32))
        models.append(("mlperf_ic_int8", os.path.join(mlperf, "image_classification", "pretrainedResnet_quant.tflite"),
                       ["--calibration", ic_x, "--selftest", "2"], ic_x))
    else:
        c.skip("MLPerf Tiny models", "%s not found" % mlperf)

    ratios = {}
    for name, source, extra, x in models:
        model = os.path.join(w, name + ".mote")
        report = os.path.join(w, name + ".json")
        r = run([a.modelc, "convert", source, "-o", model, "--report", report] + extra, timeout=300)
        if not c.ok("convert %s" % name, r.rc == 0, r.describe()):
            continue
        bounds = {b["cpu"]: b for b in load_json(report)["stack"]}

        def consistent(bounds=bounds):
            for cpu, b in bounds.items():
                want = max([b["fixed_bytes"]] + [op["bytes"] for op in b["ops"]])
                if b["worst_case_bytes"] != want or not b["ops"]:
                    return "%s: worst case %d, rows give %d" % (cpu, b["worst_case_bytes"], want)
            return None
        c.run("%s report's stack is the max of its rows" % name, consistent)
        c.ok("%s inspect states the report's stack" % name,
             inspect(a, model)["stack"] == load_json(report)["stack"])
        print("INFO %s stated worst case: %s" % (name, ", ".join(
            "%s %d (%s)" % (cpu, b["worst_case_bytes"], b["deepest_op"] or "no kernel")
            for cpu, b in bounds.items())))

        xs = os.path.join(w, name + "_x.npy")
        np.save(xs, np.load(x)[:SAMPLES])
        outputs = len(inspect(a, model)["outputs"])
        for t in a.qemu_targets:
            def check(t=t, name=name, model=model, xs=xs, bounds=bounds, outputs=outputs):
                outs = []
                for k in range(outputs):
                    outs += ["--output", os.path.join(w, "%s_%s_%d.npy" % (name, t, k))]
                r = run([a.sim, "run", model, "--input", xs, "--target", t, "--profile"] + outs, timeout=300)
                if board_too_small(r):
                    return Skip("model does not fit %s's RAM" % t)
                if r.rc != 0:
                    return r.describe()
                m = STACK_RE.search(r.out)
                if not m:
                    return "no runtime stack line in mote-sim's output: %r" % r.out[-300:]
                if t not in bounds:
                    return "the report states no stack for %s" % t
                used, load, create, selftest, invoke = (int(v) for v in m.group(2, 3, 4, 5, 6))
                bound = bounds[t]["worst_case_bytes"]
                ratio = used / float(bound)
                ratios.setdefault(name, {})[t] = (used, bound)
                print("INFO %s on %s: measured %d bytes (load %d, create %d, self-test %d, invoke %d), "
                      "bound %d (%s in %s): %.2f" % (name, t, used, load, create, selftest, invoke, bound,
                                                     bounds[t]["deepest_op"] or "no kernel", bounds[t]["entry"],
                                                     ratio))
                if m.group(7) or invoke == 0 or load == 0:
                    return "measurement failed: %s" % m.group(0)
                if used > bound:
                    return "measured %d bytes, over the stated worst case %d" % (used, bound)
                if ratio < MIN_RATIO:
                    return "bound %d is loose: measured only %d (%.2f)" % (bound, used, ratio)
                return None
            c.run("%s stack within bound on %s" % (name, t), check)

    # --max-stack fails by the stated excess, naming the CPU.
    d = os.path.join(a.repo, "models", "digits_mlp")
    base = [a.modelc, "convert", os.path.join(d, "digits_mlp.onnx"), "-o", os.path.join(w, "budget.mote"),
            "--calibration", os.path.join(d, "calib.npy"), "--report", os.path.join(w, "budget.json")]
    r = run(base)
    if c.ok("convert for --max-stack", r.rc == 0, r.describe()):
        m0 = {b["cpu"]: b for b in load_json(os.path.join(w, "budget.json"))["stack"]}["cortex-m0"]
        r = run(base + ["--max-stack", "cortex-m0=%d" % (m0["worst_case_bytes"] - 10)])
        c.ok("--max-stack cortex-m0 over by 10 fails", r.rc != 0 and "cortex-m0" in r.err and "by 10 bytes" in r.err,
             r.describe())
        r = run(base + ["--max-stack", str(m0["worst_case_bytes"] + 4096)])
        c.ok("--max-stack with room passes", r.rc == 0, r.describe())
        r = run(base + ["--max-stack", "cortex-m9=100"])
        c.ok("--max-stack unknown CPU fails", r.rc != 0 and "cortex-m9" in r.err, r.describe())
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
