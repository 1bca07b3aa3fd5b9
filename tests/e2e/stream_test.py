#!/usr/bin/env -S /usr/bin/python3
"""Streaming models (modelc convert --stream, issue 13 item 4), end to end.

mote-sim runs the samples of an input file as consecutive invokes of one
interpreter, so a file [N, ...hop...] is a stream of N hops.
  - models/sensor_cnn1d streamed through a FIFO (axis 2, hop 16: 8 invokes
    fill the 128-step window): every streamed output equals, byte for byte,
    the full model's output on the window the stream holds at that invoke
    (zeros before the stream began), float32, int8 and int16;
  - models/gru_classifier stepped (the GRU keeps its hidden state, hop 1 and
    4): after 32 / hop invokes of one sequence the output equals the full
    model's: float32 within 1e-5, int8 and int16 byte for byte; modelc's own
    check (ResetState between its calibration sequences) agrees as well;
  - the streamed models' raw outputs are byte-identical on every QEMU target;
  - the report and `modelc inspect` state the state bytes and tensors.

    /usr/bin/python3 tests/e2e/stream_test.py --bin build/host/bin --repo . --targets host,cortex-m4
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, board_too_small, compare_raw, guarded, load_json, parse_args, run  # noqa: E402

PRECISIONS = ("float32", "int8", "int16")


def convert(a, c, name, onnx, calib, precision, extra):
    out = os.path.join(a.scratch, name + ".mote")
    report = os.path.join(a.scratch, name + ".json")
    r = run([a.modelc, "convert", onnx, "-o", out, "--calibration", calib, "--precision", precision,
             "--report", report] + extra, timeout=120)
    if not c.ok("convert " + name, r.rc == 0, r.describe()):
        return None, None
    return out, load_json(report)


def sim(a, c, what, model, x, target="host"):
    path = os.path.join(a.scratch, "in_%s.npy" % what)
    np.save(path, x)
    out = os.path.join(a.scratch, "out_%s_%s.npy" % (what, target))
    cmd = [a.sim, "run", model, "--input", path, "--output", out, "--raw"]
    if target != "host":
        cmd += ["--target", target]
    r = run(cmd, timeout=180)
    if target != "host" and board_too_small(r):
        c.skip("%s on %s" % (what, target), "model does not fit the board's RAM")
        return None
    if not c.ok("run %s on %s" % (what, target), r.rc == 0, r.describe()):
        return None
    return out


def boards(a, c, what, model, x, host_out):
    for t in a.qemu_targets:
        other = sim(a, c, what, model, x, t)
        if other is not None:
            c.run("%s bytes identical on %s" % (what, t), compare_raw, host_out, other)


def check_fifo(a, c):
    d = os.path.join(a.repo, "models", "sensor_cnn1d")
    onnx, calib = os.path.join(d, "sensor_cnn1d.onnx"), os.path.join(d, "calib.npy")
    samples = np.load(os.path.join(d, "test_x.npy"))[:3]  # [3, 3, 128]
    hop, length = 16, samples.shape[2]
    stream = np.concatenate(list(samples), axis=1)  # [3, 384]
    hops = np.stack([stream[:, k * hop:(k + 1) * hop] for k in range(stream.shape[1] // hop)])
    padded = np.concatenate([np.zeros((3, length - hop), np.float32), stream], axis=1)
    windows = np.stack([padded[:, k * hop:k * hop + length] for k in range(len(hops))])
    for precision in PRECISIONS:
        name = "cnn1d_%s" % precision
        full, _ = convert(a, c, name + "_full", onnx, calib, precision, [])
        streamed, rep = convert(a, c, name + "_stream", onnx, calib, precision,
                                ["--stream", "input=x,axis=2,hop=%d" % hop])
        if full is None or streamed is None:
            continue
        s = rep.get("streamed_inputs", [{}])[0]
        c.ok(name + " report: fifo, 8 invokes per window, state = the window's bytes",
             s.get("mode") == "fifo" and s.get("invokes_per_window") == 8 and
             rep.get("state_bytes") == 3 * length * (4 if precision == "float32" else
                                                     1 if precision == "int8" else 2), str(rep.get("state_bytes")))
        print("INFO %s: per hop %d MACs (full model %d), arena %d bytes of which state %d" % (
            name, rep["macs_per_invoke"], load_json(os.path.join(a.scratch, name + "_full.json"))["total_macs"],
            rep["arena_bytes"], rep["state_bytes"]))
        want = sim(a, c, name + "_windows", full, windows)
        got = sim(a, c, name + "_hops", streamed, hops)
        if want is None or got is None:
            continue
        c.run(name + " every streamed output == the full model's on the window, byte for byte",
              compare_raw, want, got)
        boards(a, c, name + "_hops", streamed, hops, got)
    r = run([a.modelc, "inspect", os.path.join(a.scratch, "cnn1d_int8_stream.mote")])
    c.ok("inspect shows the state", r.rc == 0 and "state      384 bytes" in r.out and "x.window" in r.out,
         r.out[-600:])


def check_state(a, c):
    d = os.path.join(a.repo, "models", "gru_classifier")
    onnx, calib = os.path.join(d, "gru_classifier.onnx"), os.path.join(d, "calib.npy")
    seqs = np.load(os.path.join(d, "test_x.npy"))[:3]  # [3, 32, 4]
    for precision in PRECISIONS:
        for hop in (1, 4):
            name = "gru_%s_hop%d" % (precision, hop)
            full, _ = convert(a, c, name + "_full", onnx, calib, precision, [])
            streamed, rep = convert(a, c, name + "_stream", onnx, calib, precision,
                                    ["--stream", "input=x,axis=1,hop=%d" % hop])
            if full is None or streamed is None:
                continue
            s = rep.get("streamed_inputs", [{}])[0]
            c.ok(name + " report: stateful recurrence", s.get("mode") == "state", json.dumps(s))
            err = rep["calibration"]["max_abs_error"]
            print("INFO %s: per hop %d MACs, state %d bytes; modelc's check on %d sequences: max |err| %.3g, "
                  "top-1 %.2f%%" % (name, rep["macs_per_invoke"], rep["state_bytes"],
                                     rep["calibration"]["samples"], err,
                                     100 * rep["calibration"]["argmax_agreement"]))
            if precision == "float32":
                c.ok(name + " modelc's streamed check (reset per sequence) within 1e-5", err <= 1e-5, "%g" % err)
            want_path = sim(a, c, name + "_full", full, seqs)
            if want_path is None:
                continue
            want = np.load(want_path)
            for k, seq in enumerate(seqs):
                hops = np.stack([seq[j * hop:(j + 1) * hop] for j in range(32 // hop)])
                got_path = sim(a, c, "%s_seq%d" % (name, k), streamed, hops)
                if got_path is None:
                    continue
                got = np.load(got_path)[-1]
                if precision == "float32":
                    c.ok("%s sequence %d: final output within 1e-5 of the full model's" % (name, k),
                         np.abs(got - want[k]).max() <= 1e-5, "max |diff| %g" % np.abs(got - want[k]).max())
                else:
                    c.ok("%s sequence %d: final output == the full model's, byte for byte" % (name, k),
                         got.tobytes() == want[k].tobytes(), "%s vs %s" % (got, want[k]))
            # One stream of two sequences (no reset between): every board == host.
            two = np.concatenate([seqs[0], seqs[1]])
            hops = np.stack([two[j * hop:(j + 1) * hop] for j in range(64 // hop)])
            host = sim(a, c, name + "_two", streamed, hops)
            if host is not None:
                boards(a, c, name + "_two", streamed, hops, host)
    r = run([a.modelc, "inspect", os.path.join(a.scratch, "gru_int8_hop1_stream.mote")])
    c.ok("inspect shows the stateful Rnn", r.rc == 0 and "Rnn(Gru,stateful)" in r.out and "state " in r.out,
         r.out[-600:])


def check_refusals(a, c):
    d = os.path.join(a.repo, "models", "gru_classifier")
    onnx, calib = os.path.join(d, "gru_classifier.onnx"), os.path.join(d, "calib.npy")
    for spec, words in (("input=x,axis=1,hop=5", "must divide"), ("input=nope,axis=1,hop=1", "no graph input"),
                        ("input=x,axis=7,hop=1", "outside"), ("input=x,axis=1,hop=1,mode=warp", "mode"),
                        ("input=x,axis=1", "hop=N is required")):
        r = run([a.modelc, "convert", onnx, "-o", os.path.join(a.scratch, "bad.mote"), "--calibration", calib,
                 "--stream", spec])
        c.ok("--stream '%s' refused naming the reason" % spec, r.rc != 0 and words in r.err, r.err[-300:])
    d = os.path.join(a.repo, "models", "bigru_classifier")
    r = run([a.modelc, "convert", os.path.join(d, "bigru_classifier.onnx"), "-o", os.path.join(a.scratch, "bad.mote"),
             "--calibration", os.path.join(d, "calib.npy"), "--stream", "input=x,axis=1,hop=1,mode=state"])
    c.ok("a bidirectional GRU cannot step", r.rc != 0 and "both ways" in r.err, r.err[-300:])
    streamed = os.path.join(a.scratch, "gru_int8_hop1_stream.mote")
    r = run([a.modelc, "compare", os.path.join(a.repo, "models", "gru_classifier", "gru_classifier.onnx"), streamed,
             "--input", os.path.join(a.repo, "models", "gru_classifier", "test_x.npy")])
    c.ok("compare refuses a streaming model", r.rc != 0 and "streaming model" in r.err, r.err[-300:])


def main():
    a = parse_args(__doc__, "stream_test")
    c = Checker()
    check_fifo(a, c)
    check_state(a, c)
    check_refusals(a, c)
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
