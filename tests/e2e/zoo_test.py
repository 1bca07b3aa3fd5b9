#!/usr/bin/python3
"""End-to-end test of every model under models/mlp_zoo/ against its PyTorch outputs.

For each folder (model.onnx, calib.npy, x.npy, y.npy):
  - float32: mote output matches y within atol 1e-4, rtol 1e-4;
  - int8 / int16: max |mote - y| <= TOL * (y.max() - y.min()), where y is first
    clipped to the range the quantized output can represent and samples whose
    input lies outside the quantized input range are left out (post-training
    quantization saturates there by design; those samples are reported, and at
    most MAX_SATURATED of the 16 may be left out);
  - raw outputs of every QEMU target are byte-identical to host;
  - one sample fed alone gives the same output as the same row of the batch.
Static-batch models (input [1,F]) take x [16,F] as 16 samples (batch rule).

    /usr/bin/python3 tests/e2e/zoo_test.py --bin build/host/bin --repo . \
        --work /tmp/mote-e2e --targets host,cortex-m4
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

PRECISIONS = ("int8", "int16", "float32")
RAW_DTYPE = {"int8": np.int8, "int16": np.int16, "float32": np.float32}
QRANGE = {"Int8": (-128, 127), "Int16": (-32768, 32767)}
# Fraction of the output range allowed as max abs error. Measured with the
# current build (worst model): int8 0.0195 (relu6_sigmoid), int16 0.0076
# (relu6_sigmoid); ~2x margin. int16 activations still use int8 weights, so
# int16 is not 256x better than int8.
TOL = {"int8": 0.04, "int16": 0.015}
FLOAT_ATOL = 1e-4
FLOAT_RTOL = 1e-4
MAX_SATURATED = 4


def representable(q):
    lo, hi = QRANGE[q["type"]]
    return (lo - q["zero_point"]) * q["scale"], (hi - q["zero_point"]) * q["scale"]


def main():
    a = E.parse_args(__doc__.splitlines()[0], "zoo")
    c = E.Checker()
    zoo = os.path.join(a.repo, "models", "mlp_zoo")
    names = sorted(n for n in os.listdir(zoo)
                   if os.path.isfile(os.path.join(zoo, n, "model.onnx")))
    c.ok("zoo_not_empty", len(names) > 0, "no model folders under %s" % zoo)
    summary = []

    for name in names:
        d = os.path.join(zoo, name)
        x_path = os.path.join(d, "x.npy")
        x = np.load(x_path)
        y = np.load(os.path.join(d, "y.npy"))
        n = x.shape[0]
        yrange = float(y.max() - y.min())

        for prec in PRECISIONS:
            tag = "%s_%s" % (name, prec)
            base = os.path.join(a.scratch, tag)
            mote = base + ".mote"

            def convert():
                r = E.run([a.modelc, "convert", os.path.join(d, "model.onnx"), "-o", mote,
                           "--calibration", os.path.join(d, "calib.npy"), "--precision", prec])
                if r.rc != 0:
                    return r.describe()
                if not os.path.isfile(mote):
                    return "exit 0 but no output file"
            if not c.run("convert_%s" % tag, convert):
                continue

            host_raw, host_f = base + ".host.raw.npy", base + ".host.f32.npy"

            def run_host():
                r = E.run([a.sim, "run", mote, "--input", x_path, "--output", host_raw, "--raw"])
                if r.rc != 0:
                    return "raw run: " + r.describe()
                raw = np.load(host_raw)
                if raw.dtype != RAW_DTYPE[prec]:
                    return "raw dtype %s, expected %s" % (raw.dtype, np.dtype(RAW_DTYPE[prec]))
                r = E.run([a.sim, "run", mote, "--input", x_path, "--output", host_f])
                if r.rc != 0:
                    return "float run: " + r.describe()
                f = np.load(host_f)
                if f.dtype != np.float32 or f.shape != y.shape:
                    return "float output %s%s, expected float32%s" % (f.dtype, f.shape, y.shape)
                if raw.shape != f.shape:
                    return "raw shape %s != float shape %s" % (raw.shape, f.shape)
            host_ok = c.run("run_host_%s" % tag, run_host)

            if prec == "float32":
                def check_float():
                    if not host_ok:
                        return "host run failed"
                    f = np.load(host_f)
                    err = float(np.max(np.abs(f.astype(np.float64) - y)))
                    summary.append((name, prec, err, err / yrange, err, err / yrange, n))
                    if not np.allclose(f, y, atol=FLOAT_ATOL, rtol=FLOAT_RTOL):
                        return "max |err| %.3g exceeds atol %g / rtol %g" % (
                            err, FLOAT_ATOL, FLOAT_RTOL)
                c.run("matches_torch_%s" % tag, check_float)
            else:
                def check_quant():
                    if not host_ok:
                        return "host run failed"
                    r = E.run([a.modelc, "inspect", mote, "--json"])
                    if r.rc != 0:
                        return "inspect: " + r.describe()
                    j = json.loads(r.out)
                    ilo, ihi = representable(j["inputs"][0])
                    olo, ohi = representable(j["outputs"][0])
                    f = np.load(host_f).astype(np.float64)
                    xs = x.reshape(n, -1)
                    inside = np.all((xs >= ilo) & (xs <= ihi), axis=1)
                    e_all = np.abs(f - y).reshape(n, -1).max(axis=1)
                    e_clip = np.abs(f - np.clip(y, olo, ohi)).reshape(n, -1).max(axis=1)
                    e_in = float(e_clip[inside].max()) if inside.any() else float("nan")
                    summary.append((name, prec, e_in, e_in / yrange, float(e_all.max()),
                                    float(e_all.max()) / yrange, int(inside.sum())))
                    if n - inside.sum() > MAX_SATURATED:
                        return "%d of %d samples have inputs outside the quantized input range " \
                               "[%.3g, %.3g]" % (n - inside.sum(), n, ilo, ihi)
                    if not e_in <= TOL[prec] * yrange:
                        worst = int(np.argmax(np.where(inside, e_clip, -1)))
                        return "max |err| %.4g = %.4f of output range %.4g > %.3f (sample %d)" % (
                            e_in, e_in / yrange, yrange, TOL[prec], worst)
                c.run("matches_torch_%s" % tag, check_quant)

            for t in a.qemu_targets:
                def run_target(t=t):
                    if not host_ok:
                        return "host run failed, nothing to compare with"
                    out = base + ".%s.raw.npy" % t
                    r = E.run([a.sim, "run", mote, "--input", x_path, "--output", out, "--raw",
                               "--target", t], timeout=60)
                    if E.board_too_small(r):
                        return E.Skip("model does not fit %s's RAM" % t)
                    if r.rc != 0:
                        return r.describe()
                    return E.compare_raw(host_raw, out)
                c.run("raw_bitexact_%s_vs_host_%s" % (t, tag), run_target)

            if prec == "int8":
                def single_vs_batch():
                    # One sample with the exact input shape ([1, ...]) must give the
                    # same raw output as row 0 of the batch run.
                    if not host_ok:
                        return "host run failed"
                    one_in = base + ".one.in.npy"
                    one_out = base + ".one.raw.npy"
                    np.save(one_in, x[:1])
                    r = E.run([a.sim, "run", mote, "--input", one_in, "--output", one_out, "--raw"])
                    if r.rc != 0:
                        return r.describe()
                    one = np.load(one_out)
                    row0 = np.load(host_raw)[0]
                    if one.size != row0.size or not np.array_equal(one.reshape(-1),
                                                                   row0.reshape(-1)):
                        return "single-sample output %s%s differs from batch row 0 %s" % (
                            one.dtype, one.shape, row0.shape)
                c.run("single_vs_batch_%s" % tag, single_vs_batch)

    print("# model           precision  max|err| (in range, y clipped)  /range   "
          "max|err| all samples vs y  /range  samples used")
    for (nm, p, e, er, ea, ear, used) in summary:
        print("#   %-15s %-8s %10.4g %30.4f %12.4g %22.4f %6d" % (nm, p, e, er, ea, ear, used))
    return c.finish()


if __name__ == "__main__":
    sys.exit(E.guarded(main))
