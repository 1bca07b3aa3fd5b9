#!/usr/bin/python3
"""End-to-end test of the bundled digits MLP (models/digits_mlp/).

Converts the model in int8, int16 and float32, checks the header / report /
inspect output, runs the 540 test samples on the host and on every QEMU target
(raw outputs must be byte-identical to host) and checks accuracy against the
PyTorch reference logits.

    /usr/bin/python3 tests/e2e/digits_test.py --bin build/host/bin --repo . \
        --work /tmp/mote-e2e --targets host,cortex-m4
"""
import json
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

PRECISIONS = ("int8", "int16", "float32")
RAW_DTYPE = {"int8": np.int8, "int16": np.int16, "float32": np.float32}
EXPECTED_MACS = 64 * 64 + 64 * 32 + 32 * 10
# Allowed accuracy drop (percentage points) vs the float reference.
ACC_TOL = {"int8": 1.0, "int16": 0.3, "float32": 0.0}
FLOAT_ATOL = 1e-4


def main():
    a = E.parse_args(__doc__.splitlines()[0], "digits")
    c = E.Checker()
    mdir = os.path.join(a.repo, "models", "digits_mlp")
    onnx_path = os.path.join(mdir, "digits_mlp.onnx")
    calib = os.path.join(mdir, "calib.npy")
    test_x = os.path.join(mdir, "test_x.npy")
    test_y = np.load(os.path.join(mdir, "test_y.npy"))
    torch_logits = np.load(os.path.join(mdir, "torch_logits.npy"))
    ref_acc = 100.0 * float(np.mean(np.argmax(torch_logits, axis=1) == test_y))
    print("# float reference (torch_logits argmax) accuracy: %.2f %% (%d/%d)"
          % (ref_acc, int(round(ref_acc * test_y.size / 100)), test_y.size))

    reports = {}
    for prec in PRECISIONS:
        base = os.path.join(a.scratch, "digits_" + prec)
        mote, hdr, rep = base + ".mote", base + ".h", base + ".json"

        def convert():
            r = E.run([a.modelc, "convert", onnx_path, "-o", mote, "--calibration", calib,
                       "--precision", prec, "--header", hdr, "--report", rep])
            if r.rc != 0:
                return "convert failed: " + r.describe()
            missing = [p for p in (mote, hdr, rep) if not os.path.isfile(p)]
            if missing:
                return "exit 0 but missing outputs: %s" % missing
        if not c.run("convert_%s" % prec, convert):
            continue

        def report():
            j = E.load_json(rep)
            reports[prec] = j
            ab, lb, macs = j.get("arena_bytes"), j.get("arena_lower_bound_bytes"), j.get("total_macs")
            if not all(isinstance(v, int) for v in (ab, lb, macs)):
                return "arena_bytes/arena_lower_bound_bytes/total_macs missing or not ints: %r" % (
                    (ab, lb, macs),)
            if not (ab >= lb > 0):
                return "expected arena_bytes >= arena_lower_bound_bytes > 0, got %d, %d" % (ab, lb)
            if macs != EXPECTED_MACS:
                return "total_macs %d != %d" % (macs, EXPECTED_MACS)
            if j.get("precision") not in (None, prec):
                return "report precision %r != %r" % (j.get("precision"), prec)
            print("#   %s: arena %d bytes (lower bound %d), file %s bytes, MACs %d"
                  % (prec, ab, lb, j.get("file_bytes"), macs))
        c.run("report_%s" % prec, report)

        def header():
            text = open(hdr, "r", errors="replace").read()
            m = re.findall(r"#define\s+\w*_ARENA_SIZE\s+(\d+)u?\b", text)
            if not m:
                return "no '#define ..._ARENA_SIZE <n>' in header"
            if prec not in reports:
                return "report unavailable"
            if len(set(m)) != 1 or int(m[0]) != reports[prec]["arena_bytes"]:
                return "header _ARENA_SIZE %s != report arena_bytes %d" % (
                    m, reports[prec]["arena_bytes"])
            # The header's model size should match the file (when present).
            ms = re.findall(r"#define\s+\w*_MODEL_SIZE\s+(\d+)u?\b", text)
            if ms and int(ms[0]) != os.path.getsize(mote):
                return "header _MODEL_SIZE %s != .mote size %d" % (ms[0], os.path.getsize(mote))
        c.run("header_arena_%s" % prec, header)

        # Host runs: raw and float.
        host_raw = base + ".host.raw.npy"
        host_f = base + ".host.f32.npy"

        def run_host_raw():
            r = E.run([a.sim, "run", mote, "--input", test_x, "--output", host_raw, "--raw"])
            if r.rc != 0:
                return r.describe()
            y = np.load(host_raw)
            if y.dtype != RAW_DTYPE[prec] or y.shape != (540, 10):
                return "raw output %s%s, expected %s(540, 10)" % (
                    y.dtype, y.shape, np.dtype(RAW_DTYPE[prec]))
        host_raw_ok = c.run("run_raw_host_%s" % prec, run_host_raw)

        def run_host_float():
            r = E.run([a.sim, "run", mote, "--input", test_x, "--output", host_f])
            if r.rc != 0:
                return r.describe()
            y = np.load(host_f)
            if y.dtype != np.float32 or y.shape != (540, 10):
                return "float output %s%s, expected float32(540, 10)" % (y.dtype, y.shape)
        host_f_ok = c.run("run_float_host_%s" % prec, run_host_float)

        for t in a.qemu_targets:
            def run_target(t=t):
                if not host_raw_ok:
                    return "host raw run failed, nothing to compare with"
                out = base + ".%s.raw.npy" % t
                r = E.run([a.sim, "run", mote, "--input", test_x, "--output", out, "--raw",
                           "--target", t], timeout=60)
                if E.board_too_small(r):
                    return E.Skip("model does not fit %s's RAM" % t)
                if r.rc != 0:
                    return r.describe()
                return E.compare_raw(host_raw, out)
            c.run("raw_bitexact_%s_vs_host_%s" % (t, prec), run_target)

        def accuracy():
            if not host_f_ok:
                return "no host float output"
            y = np.load(host_f)
            acc = 100.0 * float(np.mean(np.argmax(y, axis=1) == test_y))
            drop = ref_acc - acc
            print("#   %s accuracy: %.2f %% (reference %.2f %%, drop %.2f points, "
                  "max |logit - torch| %.5f)"
                  % (prec, acc, ref_acc, drop, float(np.max(np.abs(y - torch_logits)))))
            if prec == "float32":
                if acc != ref_acc:
                    return "float32 accuracy %.2f %% != reference %.2f %%" % (acc, ref_acc)
            elif drop > ACC_TOL[prec] + 1e-9:
                return "%s accuracy %.2f %% is %.2f points below reference %.2f %% (allowed %.1f)" % (
                    prec, acc, drop, ref_acc, ACC_TOL[prec])
        c.run("accuracy_%s" % prec, accuracy)

        if prec == "float32":
            def float_logits():
                if not host_f_ok:
                    return "no host float output"
                y = np.load(host_f)
                err = np.abs(y.astype(np.float64) - torch_logits.astype(np.float64))
                if not np.allclose(y, torch_logits, rtol=0, atol=FLOAT_ATOL):
                    i = np.unravel_index(np.argmax(err), err.shape)
                    return "max |err| %.3g at %s (mote %r, torch %r) > atol %g" % (
                        err[i], i, float(y[i]), float(torch_logits[i]), FLOAT_ATOL)
            c.run("float32_logits_match_torch", float_logits)

        if prec != "float32":
            def dequant_consistent():
                # The float output must be the dequantized raw output, using the
                # output quantization that `inspect --json` reports.
                if not (host_raw_ok and host_f_ok):
                    return "host runs failed"
                r = E.run([a.modelc, "inspect", mote, "--json"])
                if r.rc != 0:
                    return r.describe()
                q = json.loads(r.out)["outputs"][0]
                raw = np.load(host_raw).astype(np.float64)
                f = np.load(host_f).astype(np.float64)
                expect = (raw - q["zero_point"]) * q["scale"]
                err = float(np.max(np.abs(expect - f)))
                if err > 1e-5 * max(1.0, float(np.max(np.abs(f)))):
                    return "float output differs from (raw - zp) * scale by %.3g" % err
            c.run("float_output_is_dequantized_raw_%s" % prec, dequant_consistent)

    def inspect_json():
        mote = os.path.join(a.scratch, "digits_int8.mote")
        if "int8" not in reports:
            return "int8 report unavailable"
        r = E.run([a.modelc, "inspect", mote, "--json"])
        if r.rc != 0:
            return r.describe()
        try:
            j = json.loads(r.out)
        except ValueError as e:
            return "inspect --json output does not parse: %s" % e
        if j.get("arena_bytes") != reports["int8"]["arena_bytes"]:
            return "inspect arena_bytes %r != report %r" % (
                j.get("arena_bytes"), reports["int8"]["arena_bytes"])
        if j.get("total_macs", EXPECTED_MACS) != EXPECTED_MACS:
            return "inspect total_macs %r != %d" % (j.get("total_macs"), EXPECTED_MACS)
    c.run("inspect_json_int8", inspect_json)

    return c.finish()


if __name__ == "__main__":
    sys.exit(E.guarded(main))
