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
  - raw audio through --frontend and --stream composed (audio hop -> Fifo of
    n_fft samples -> the front-end for one frame -> Fifo of T frames ->
    classifier): an identity classifier (the features themselves; logmel,
    and mfcc with 2 frames per hop) and models/kws_audio, fed clips hop by
    hop after `lead` zeros (the first n_fft - hop samples prime the window):
    from the invoke the T frames fill on, every output equals the whole-clip
    model's on the last clip-length samples of the stream (the clip's last
    hop: the clip itself), int8/int16 byte for byte, float32 within 1e-5;
    center=true, top_db and hops not a multiple of hop_length are refused;
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


def audio_stream(clips, hop, lead):
    """Clips one after another behind `lead` zeros, cut to whole hops: [N, 1, hop]."""
    s = np.concatenate([np.zeros(lead, clips.dtype)] + list(clips))
    n = s.size // hop
    return s[:n * hop].reshape(n, 1, hop)


def audio_windows(hops, length):
    """The last `length` samples of the stream at each invoke (zeros before it): [N, 1, length]."""
    hop = hops.shape[2]
    s = np.concatenate([np.zeros(length, hops.dtype), hops.reshape(-1)])
    return np.stack([s[(k + 1) * hop:(k + 1) * hop + length] for k in range(len(hops))])[:, None, :]


def check_audio_case(a, c, name, onnx, frontend, calib, clips, precision, hop, frames, on_boards):
    """The composed stream against the whole-clip model on every window after the frames fill."""
    calib_path = os.path.join(a.scratch, name + "_calib.npy")
    np.save(calib_path, calib)
    full, full_rep = convert(a, c, name + "_full", onnx, calib_path, precision, ["--frontend", frontend])
    streamed, rep = convert(a, c, name + "_stream", onnx, calib_path, precision,
                            ["--frontend", frontend, "--stream", "input=audio,axis=1,hop=%d" % hop])
    if full is None or streamed is None:
        return
    s = rep.get("streamed_inputs", [{}])[0]
    length = clips.shape[1]
    lead = (hop - length % hop) % hop
    per_hop = hop // a_hop_length(frontend)  # frames per invoke
    fe = rep.get("frontend_macs_per_invoke", 0)
    c.ok(name + " report: front-end stream, lead zeros, invokes per clip; per hop the classifier and "
         "%d of the whole clip's %d frames of front-end" % (per_hop, frames),
         s.get("mode") == "frontend" and s.get("lead") == lead and s.get("length") == length and
         s.get("invokes_per_window") == (lead + length) // hop and 0 < fe <= rep["macs_per_invoke"] and
         fe % per_hop == 0 and rep["macs_per_invoke"] - fe + fe // per_hop * frames == full_rep["total_macs"],
         "%s, %d MACs per hop of which front-end %d, whole clip %d" % (
             json.dumps(s), rep["macs_per_invoke"], fe, full_rep["total_macs"]))
    print("INFO %s: per hop %d MACs, of which front-end %d (whole clip %d), state %d bytes, arena %d bytes "
          "(whole clip %d)" % (name, rep["macs_per_invoke"], rep.get("frontend_macs_per_invoke", 0),
                               full_rep["total_macs"], rep["state_bytes"], rep["arena_bytes"],
                               full_rep["arena_bytes"]))
    hops = audio_stream(clips, hop, lead)
    windows = audio_windows(hops, length)
    last = (lead + length) // hop - 1  # the first clip's last hop: the window is the clip
    assert (windows[last, 0] == clips[0]).all()
    if precision == "float32":
        hops, windows = hops.astype(np.float32) / 32768.0, windows.astype(np.float32) / 32768.0
    want_path = sim(a, c, name + "_windows", full, windows)
    got_path = sim(a, c, name + "_hops", streamed, hops)
    if want_path is None or got_path is None:
        return
    want, got = np.load(want_path), np.load(got_path)
    filled = -(-frames // (hop // a_hop_length(frontend))) - 1  # the first invoke with T frames
    if precision == "float32":
        tol = 1e-5 * max(1.0, float(np.abs(want).max()))
        diff = float(np.abs(got[filled:] - want[filled:]).max())
        c.ok("%s: outputs from invoke %d on (the clip's last hop %d) within 1e-5 of the whole-clip model's"
             % (name, filled, last), diff <= tol, "max |diff| %g" % diff)
    else:
        same = [got[k].tobytes() == want[k].tobytes() for k in range(filled, len(got))]
        c.ok("%s: outputs from invoke %d on (the clip's last hop %d) == the whole-clip model's, byte for byte"
             % (name, filled, last), all(same), "differ at invokes %s" % [
                 filled + k for k, e in enumerate(same) if not e][:8])
    if on_boards and a.qemu_targets:  # the first clip's hops: every board == the host
        first = hops[:last + 1]
        host = sim(a, c, name + "_clip", streamed, first)
        if host is not None:
            boards(a, c, name + "_clip", streamed, first, host)


def a_hop_length(frontend):
    return int(dict(kv.split("=") for kv in frontend.split(":", 1)[1].split(","))["hop_length"])


def identity_classifier(path, features, frames, layout):
    from onnx import TensorProto, helper, save
    shape = [1, features, frames] if layout == "mel_time" else [1, 1, frames, features]
    x = helper.make_tensor_value_info("features", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, features * frames])
    s = helper.make_tensor("s", TensorProto.INT64, [2], [1, features * frames])
    g = helper.make_graph([helper.make_node("Reshape", ["features", "s"], ["y"])], "identity", [x], [y], [s])
    save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


def test_audio(rng, n, samples):
    """Chirps and noise at several levels, int16."""
    t = np.arange(samples) / 16000.0
    out = []
    for k in range(n):
        f0, f1 = rng.uniform(100, 2000), rng.uniform(2000, 7000)
        chirp = np.sin(2 * np.pi * (f0 + (f1 - f0) * t / t[-1] / 2) * t) * rng.uniform(0.05, 0.6)
        out.append(chirp + rng.normal(0, rng.uniform(0.001, 0.05), samples))
    return np.clip(np.round(np.array(out) * 32767), -32768, 32767).astype(np.int16)


def check_frontend(a, c):
    rng = np.random.default_rng(13)
    # Identity classifiers: the output is the feature window itself.
    cases = (("logmel", "logmel:n_fft=256,hop_length=128,n_mels=24,center=false", 24, 20, "mel_time", 128,
              PRECISIONS),
             ("mfcc", "mfcc:n_fft=256,win_length=200,hop_length=80,n_mels=32,n_mfcc=13,log_mels=true,"
                      "layout=time_mel,center=false", 13, 21, "time_mel", 160, ("float32", "int8")))
    for kind, frontend, features, frames, layout, hop, precisions in cases:
        onnx = os.path.join(a.scratch, "identity_%s.onnx" % kind)
        identity_classifier(onnx, features, frames, layout)
        n_fft, hop_length = 256, a_hop_length(frontend)
        length = n_fft + (frames - 1) * hop_length
        calib, clips = test_audio(rng, 6, length), test_audio(rng, 2, length)
        for precision in precisions:
            check_audio_case(a, c, "audio_identity_%s_%s" % (kind, precision), onnx, frontend, calib, clips,
                             precision, hop, frames, True)
    onnx = os.path.join(a.scratch, "identity_logmel.onnx")
    for frontend, spec, words in (
            ("logmel:n_fft=256,hop_length=128,n_mels=24", "hop=128", "center=true"),
            ("logmel:n_fft=256,hop_length=128,n_mels=24,center=false,log=db,top_db=80", "hop=128", "top_db"),
            ("logmel:n_fft=256,hop_length=128,n_mels=24,center=false", "hop=100", "multiple of the front-end")):
        calib = os.path.join(a.scratch, "refuse_calib.npy")  # 20 frames: (T - 1) hops centred, else + n_fft
        np.save(calib, test_audio(rng, 2, 19 * 128 + (0 if "center=false" not in frontend else 256)))
        r = run([a.modelc, "convert", onnx, "-o", os.path.join(a.scratch, "bad.mote"), "--calibration",
                 calib, "--frontend", frontend, "--stream", "input=audio,axis=1," + spec])
        c.ok("--frontend '%s' --stream %s refused naming %s" % (frontend, spec, words),
             r.rc != 0 and words in r.err, r.err[-300:])
    # The keyword model from raw audio, one hop (20 ms) per invoke.
    d = os.path.join(a.repo, "models", "kws_audio")
    sys.path.insert(0, d)
    import dataset
    kw = dict(item.split("=") for item in dataset.MODELC_FRONTEND.split(":", 1)[1].split(","))
    n_fft, hop_length = int(kw["n_fft"]), int(kw["hop_length"])
    frames = 1 + (dataset.CLIP_SAMPLES - n_fft) // hop_length
    length = n_fft + (frames - 1) * hop_length  # the samples the classifier's frames read
    # The whole-clip model reads exactly those (samples= of the one-second form would add the
    # 128 samples no frame reads; the stream never sees them).
    frontend = ",".join(item for item in dataset.MODELC_FRONTEND.split(",") if not item.startswith("samples="))
    clips, _ = dataset.held_back_clips(per_class=1)
    calib, _ = dataset.training_clips(per_class=1, seed=3)
    for precision in PRECISIONS:
        check_audio_case(a, c, "kws_audio_%s" % precision, os.path.join(d, "kws_audio.onnx"),
                         frontend, calib[:, :length], clips[:2, :length], precision, hop_length,
                         frames, True)


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
    check_frontend(a, c)
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
