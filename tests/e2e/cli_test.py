#!/usr/bin/env -S /usr/bin/python3
"""The command lines of modelc and mote-sim as a user meets them.

  - `--help` on every command: exit 0, on stdout, within 100 columns; every
    option it lists is documented in README.md;
  - `--version`: the project version of the top-level CMakeLists.txt, the
    same for both tools, and stored as the producer of every converted file
    (`modelc inspect`, text and JSON); the stored source hash is the SHA-256
    of the model file (Python's hashlib as the oracle);
  - usage errors: exit 2, one line on stderr naming the problem and --help;
  - `mote-sim` with fewer `--output` paths than the model has outputs: the rest
    go next to the first, named after it with the output's name, and hold the
    same bytes as when every path is given (values checked against numpy);
  - progress: shown on a terminal (a pseudo-TTY from Python's pty module),
    never in a pipe unless MOTE_PROGRESS=1, never with MOTE_PROGRESS=0, only
    after the delay, and cleared at the end.

    /usr/bin/python3 tests/e2e/cli_test.py --bin build/host/bin --repo . --work /tmp/mote-e2e --targets host,cortex-m4
"""
import hashlib
import json
import os
import pty
import re
import select
import subprocess
import sys
import threading

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, guarded, parse_args, run  # noqa: E402

HELP_COMMANDS = (("modelc", "--help"), ("modelc", "convert", "--help"), ("modelc", "inspect", "--help"),
                 ("mote-sim", "--help"), ("mote-sim", "run", "--help"))


def tool(a, name):
    return a.modelc if name == "modelc" else a.sim


def help_options(text):
    """The options a help text lists (its lines '  -x,--name ...' / '  --name ...')."""
    names = []
    for line in text.splitlines():
        m = re.match(r"^  (-\w,)?(--[a-z][a-z0-9-]*)", line)
        if m:
            names.append(m.group(2))
    return names


def two_output_model(path):
    """x[1,4] -> logits = x W + b, and 'scores/sigmoid:0' = sigmoid(x V): a float
    model with two outputs, the second's name unfit for a file name."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(7)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    v = rng.standard_normal((4, 2)).astype(np.float32)
    g = helper.make_graph(
        [helper.make_node("Gemm", ["x", "W", "B"], ["logits"]),
         helper.make_node("MatMul", ["x", "V"], ["xv"]),
         helper.make_node("Sigmoid", ["xv"], ["scores/sigmoid:0"])],
        "two_outputs",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, 3]),
         helper.make_tensor_value_info("scores/sigmoid:0", TensorProto.FLOAT, [1, 2])],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "B"), numpy_helper.from_array(v, "V")])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return w, b, v


def run_on_terminal(cmd, env, timeout=60):
    """Runs cmd with stderr on a pseudo-terminal and stdout on a pipe; returns
    (exit code, stdout text, the bytes the terminal received)."""
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    out = []
    reader = threading.Thread(target=lambda: out.append(p.stdout.read()))
    reader.start()
    received = b""
    while True:
        ready, _, _ = select.select([master], [], [], timeout)
        if not ready:
            p.kill()
            break
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the process closed the terminal
            break
        if not data:
            break
        received += data
    rc = p.wait()
    reader.join()
    os.close(master)
    return rc, out[0].decode("utf-8", "replace"), received


def env_with(**changes):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTE_PROGRESS")}
    env["TERM"] = "xterm"
    env.update(changes)
    return env


def main():
    a = parse_args(__doc__, "cli")
    c = Checker()
    w = a.scratch
    digits = os.path.join(a.repo, "models", "digits_mlp")
    onnx_path = os.path.join(digits, "digits_mlp.onnx")
    calib = os.path.join(digits, "calib.npy")
    calib_rows = np.load(calib).shape[0]

    # --- help -----------------------------------------------------------------
    helps = {}
    for cmd in HELP_COMMANDS:
        def check(cmd=cmd):
            r = run([tool(a, cmd[0])] + list(cmd[1:]))
            if r.rc != 0 or r.err:
                return "exit %s, stderr %r" % (r.rc, r.err[:200])
            helps[cmd] = r.out
            if "Usage: " + " ".join(cmd[:-1]) not in r.out:
                return "no usage line: %r" % r.out[:200]
            wide = [line for line in r.out.splitlines() if len(line) > 100]
            if wide:
                return "lines over 100 columns: %r" % wide[:2]
            if cmd[-2] in ("convert", "run") and len(help_options(r.out)) < 4:
                return "lists only %s" % help_options(r.out)
        c.run("help: " + " ".join(cmd), check)

    def help_alias():
        r = run([a.modelc, "help", "convert"])
        if r.rc != 0 or r.out != helps.get(("modelc", "convert", "--help")):
            return "modelc help convert differs from modelc convert --help (exit %s)" % r.rc
    c.run("help: modelc help convert == modelc convert --help", help_alias)

    def readme_documents_every_option():
        readme = open(os.path.join(a.repo, "README.md")).read()
        missing = sorted({"%s: %s" % (" ".join(cmd[:-1]), o) for cmd, text in helps.items()
                          for o in help_options(text) if o not in ("--help",) and o not in readme})
        return "README.md does not mention %s" % missing if missing else None
    c.run("help: README.md documents every option", readme_documents_every_option)

    # --- version -------------------------------------------------------------
    cmake = open(os.path.join(a.repo, "CMakeLists.txt")).read()
    project_version = re.search(r"project\(mote VERSION ([0-9.]+)", cmake).group(1)
    versions = {}
    for name in ("modelc", "mote-sim"):
        def check(name=name):
            r = run([tool(a, name), "--version"])
            versions[name] = r.out.strip()
            if r.rc != 0 or r.out != "%s %s\n" % (name, project_version):
                return "exit %s, printed %r, expected %r" % (r.rc, r.out, "%s %s" % (name, project_version))
        c.run("version: %s --version" % name, check)

    mote = os.path.join(w, "digits.mote")

    def producer_is_version():
        r = run([a.modelc, "convert", onnx_path, "-o", mote, "--calibration", calib])
        if r.rc != 0:
            return r.describe()
        j = json.loads(run([a.modelc, "inspect", mote, "--json"]).out)
        if j["producer"] != versions.get("modelc"):
            return "producer %r, modelc --version %r" % (j["producer"], versions.get("modelc"))
        text = run([a.modelc, "inspect", mote]).out
        if "producer   %s\n" % versions.get("modelc") not in text:
            return "inspect text does not show the producer: %r" % text[:300]
        want = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
        if j["source_sha256"] != want or "sha256:" + want not in text:
            return "source hash %r, hashlib says %r" % (j["source_sha256"], want)
    c.run("version: stored as the producer; source SHA-256 as hashlib's", producer_is_version)

    # --- usage errors --------------------------------------------------------
    usage_cases = [
        ("modelc", [], ("command",), "modelc --help"),
        ("modelc", ["convert", onnx_path, "-o", mote, "--bogus"], ("--bogus",), "modelc convert --help"),
        ("modelc", ["convert", onnx_path, "-o"], ("--output",), "modelc convert --help"),
        ("modelc", ["convert", onnx_path, "-o", mote, "--precision", "int4"], ("int4",), "modelc convert --help"),
        ("modelc", ["inspect", mote, "--yaml"], ("--yaml",), "modelc inspect --help"),
        ("mote-sim", ["run", mote, "--input", "x.npy", "--output"], ("--output",), "mote-sim run --help"),
        ("mote-sim", ["walk"], ("walk",), "mote-sim --help"),
    ]
    for name, args, words, pointer in usage_cases:
        def check(name=name, args=args, words=words, pointer=pointer):
            r = run([tool(a, name)] + args)
            if r.rc != 2:
                return "exit %s, expected 2: %s" % (r.rc, r.describe())
            if r.out or r.err.count("\n") != 1 or not r.err.startswith(name):
                return "expected one line on stderr starting with %s, got stdout %r stderr %r" % (name, r.out, r.err)
            if not all(wd in r.err for wd in words) or "'%s'" % pointer not in r.err:
                return "stderr names neither %s nor %r: %r" % (words, pointer, r.err)
        c.run("usage error: %s %s" % (name, " ".join(os.path.basename(x) for x in args)), check)

    # --- mote-sim: fewer --output paths than outputs ---------------------------
    two = os.path.join(w, "two.onnx")
    two_mote = os.path.join(w, "two.mote")
    weights = two_output_model(two)
    x = np.random.default_rng(3).standard_normal((5, 4)).astype(np.float32)
    x_npy = os.path.join(w, "two_x.npy")
    np.save(x_npy, x)
    r = run([a.modelc, "convert", two, "-o", two_mote, "--precision", "float32"])
    c.ok("fewer outputs: convert the two-output model", r.rc == 0, r.describe())

    for target in ["host"] + a.qemu_targets[:1]:
        def fewer(target=target):
            d = os.path.join(w, "fewer_" + target)
            os.makedirs(d)
            y = os.path.join(d, "y.npy")
            r = run([a.sim, "run", two_mote, "--input", x_npy, "--output", y, "--raw", "--target", target],
                    timeout=120)
            if r.rc != 0:
                return r.describe()
            second = os.path.join(d, "y_scores_sigmoid_0.npy")
            if sorted(os.listdir(d)) != ["y.npy", "y_scores_sigmoid_0.npy"]:
                return "wrote %s" % sorted(os.listdir(d))
            if "'scores/sigmoid:0' -> %s" % second not in r.out:
                return "does not say where the second output went: %r" % r.out
            both = [os.path.join(d, "all_%d.npy" % k) for k in range(2)]
            r = run([a.sim, "run", two_mote, "--input", x_npy, "--output", both[0], "--output", both[1], "--raw",
                     "--target", target], timeout=120)
            if r.rc != 0 or r.out:
                return "with both paths: %s, stdout %r" % (r.describe(), r.out)
            for got, want in ((y, both[0]), (second, both[1])):
                if open(got, "rb").read() != open(want, "rb").read():
                    return "%s differs from %s" % (os.path.basename(got), os.path.basename(want))
            wm, bm, vm = weights
            logits, scores = np.load(y), np.load(second)
            ref_logits = x @ wm + bm
            ref_scores = 1 / (1 + np.exp(-(x @ vm)))
            if not (np.allclose(logits, ref_logits, rtol=1e-5, atol=1e-5) and
                    np.allclose(scores, ref_scores, rtol=1e-5, atol=1e-6)):
                return "outputs differ from numpy: %s vs %s" % (logits[0], ref_logits[0])
        c.run("fewer outputs: --output y.npy writes y_<name>.npy too, on %s" % target, fewer)

    def more_outputs_refused():
        r = run([a.sim, "run", two_mote, "--input", x_npy] +
                sum([["--output", os.path.join(w, "m%d.npy" % k)] for k in range(3)], []))
        if r.rc != 1 or "2 output" not in r.err:
            return "expected exit 1 naming the 2 outputs: " + r.describe()
    c.run("fewer outputs: more paths than outputs still refused", more_outputs_refused)

    # --- progress ------------------------------------------------------------
    convert = [a.modelc, "convert", onnx_path, "-o", os.path.join(w, "p.mote"), "--calibration", calib]
    calibrating = ("modelc: calibrating 0/%d" % calib_rows).encode()

    def progress_on_terminal():
        rc, out, tty = run_on_terminal(convert, env_with(MOTE_PROGRESS_AFTER="0"))
        if rc != 0 or "arena" not in out:
            return "exit %s, stdout %r" % (rc, out[:200])
        for want in (calibrating, b"modelc: checking against the float model 0/%d" % calib_rows):
            if want not in tty:
                return "terminal did not show %r: %r" % (want, tty[:400])
        if not tty.endswith(b"\r\x1b[K"):
            return "progress line not cleared at the end: %r" % tty[-80:]
    c.run("progress: shown on a terminal, then cleared", progress_on_terminal)

    def progress_sim_on_terminal():
        rc, _, tty = run_on_terminal([a.sim, "run", mote, "--input", os.path.join(digits, "test_x.npy"), "--output",
                                      os.path.join(w, "p.npy")], env_with(MOTE_PROGRESS_AFTER="0"))
        rows = np.load(os.path.join(digits, "test_x.npy")).shape[0]
        if rc != 0 or (b"mote-sim: running 0/%d" % rows) not in tty:
            return "exit %s, terminal got %r" % (rc, tty[:300])
    c.run("progress: mote-sim on a terminal", progress_sim_on_terminal)

    def progress_not_in_pipe():
        r = subprocess.run(convert, capture_output=True, env=env_with(MOTE_PROGRESS_AFTER="0"))
        if r.returncode != 0 or r.stderr:
            return "exit %s, stderr %r" % (r.returncode, r.stderr[:300])
    c.run("progress: absent in a pipe", progress_not_in_pipe)

    def progress_forced_in_pipe():
        r = subprocess.run(convert, capture_output=True, env=env_with(MOTE_PROGRESS="1", MOTE_PROGRESS_AFTER="0"))
        if r.returncode != 0 or calibrating not in r.stderr:
            return "exit %s, stderr %r" % (r.returncode, r.stderr[:300])
    c.run("progress: MOTE_PROGRESS=1 shows it in a pipe", progress_forced_in_pipe)

    def progress_off_on_terminal():
        rc, _, tty = run_on_terminal(convert, env_with(MOTE_PROGRESS="0", MOTE_PROGRESS_AFTER="0"))
        if rc != 0 or tty:
            return "exit %s, terminal got %r" % (rc, tty[:300])
    c.run("progress: MOTE_PROGRESS=0 hides it on a terminal", progress_off_on_terminal)

    def progress_only_after_a_second():
        # With the default delay, any line drawn says at least 1.0 s; a quick
        # conversion draws none.
        rc, _, tty = run_on_terminal(convert, env_with())
        if rc != 0:
            return "exit %s" % rc
        early = [s for s in re.findall(rb", ([0-9.]+) s", tty) if float(s) < 1.0]
        if early:
            return "drawn before a second had passed: %r" % tty[:300]
    c.run("progress: not before a second", progress_only_after_a_second)

    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
