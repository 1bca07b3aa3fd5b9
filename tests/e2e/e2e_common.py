"""Shared helpers for the mote end-to-end tests (tests/e2e/*_test.py).

Only the Python standard library and numpy are used, so the tests run with
Debian's /usr/bin/python3 and no PyTorch / onnxruntime / pytest.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import traceback

import numpy as np

# Default per-command timeout (seconds). QEMU runs take ~0.1 s; this only
# guards against hangs.
DEFAULT_TIMEOUT = 30


def parse_args(description, default_work):
    here = os.path.dirname(os.path.abspath(__file__))
    repo_default = os.path.abspath(os.path.join(here, "..", ".."))
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--bin", default=os.path.join(repo_default, "build", "host", "bin"),
                   help="folder holding modelc and mote-sim")
    p.add_argument("--repo", default=repo_default, help="repository root")
    p.add_argument("--work", default=os.path.join("/tmp", "mote-e2e"),
                   help="scratch folder (created); this script uses its own "
                        "subfolder, emptied first")
    p.add_argument("--targets", default="host",
                   help="comma list of targets, e.g. host,cortex-m4 (host is always run)")
    a = p.parse_args()
    a.bin = os.path.abspath(a.bin)
    a.repo = os.path.abspath(a.repo)
    a.work = os.path.abspath(a.work)
    a.modelc = os.path.join(a.bin, "modelc")
    a.sim = os.path.join(a.bin, "mote-sim")
    targets = [t.strip() for t in a.targets.split(",") if t.strip()]
    a.qemu_targets = [t for t in targets if t != "host"]
    os.makedirs(a.work, exist_ok=True)
    # Only the script's own subfolder is emptied, never the whole --work folder.
    a.scratch = os.path.join(a.work, default_work)
    if os.path.isdir(a.scratch):
        shutil.rmtree(a.scratch)
    os.makedirs(a.scratch)
    for tool in (a.modelc, a.sim):
        if not os.access(tool, os.X_OK):
            print("FAIL setup: %s is not an executable (see --bin)" % tool)
            print("0 passed, 1 failed")
            sys.exit(1)
    return a


CURRENT = []


class Skip(str):
    """Returned by a check that does not apply (e.g. a model too large for a board)."""


def readme_blocks(readme, marker):
    """The README's fenced blocks after `marker`, up to the next '## ' heading: {lang: [body, ...]}."""
    text = open(readme).read()
    if marker not in text:
        raise ValueError("README.md has no %r" % marker)
    section = text.split(marker, 1)[1].split("\n## ", 1)[0]
    blocks = {}
    for lang, body in re.findall(r"```(\w+)\n(.*?)```", section, re.S):
        blocks.setdefault(lang, []).append(body)
    return blocks


def board_too_small(result):
    """True if a --target run failed only because the model does not fit the board's
    RAM (the runner says so; e.g. the 16 KiB micro:bit)."""
    text = result.err + result.out
    return result.rc not in (0, None) and ("is too large" in text or
                                           ("arena too small" in text and "runner's" in text))


def guarded(main):
    """Runs main(); an unexpected exception outside a check (e.g. a missing model
    file during setup) is reported as a FAIL line plus the summary line, exit 1."""
    try:
        return main()
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001
        c = CURRENT[-1] if CURRENT else Checker()
        c.fail("setup", "%s: %s" % (type(e).__name__, e))
        traceback.print_exc(file=sys.stdout)
        return c.finish()


class Checker:
    """Runs named checks; a failing or raising check never stops the others."""

    def __init__(self):
        CURRENT.append(self)
        self.passed = 0
        self.failed = 0
        self.skipped = 0

    def ok(self, name, cond, reason=""):
        if cond:
            self.passed += 1
            print("PASS %s" % name, flush=True)
        else:
            self.failed += 1
            print("FAIL %s: %s" % (name, _one_line(reason or "condition false")), flush=True)
        return bool(cond)

    def fail(self, name, reason):
        return self.ok(name, False, reason)

    def skip(self, name, reason):
        self.skipped += 1
        print("SKIP %s: %s" % (name, _one_line(reason)), flush=True)

    def run(self, name, fn, *args, **kw):
        """Calls fn(*args); fn returns None/True (pass), a str (fail reason) or False.
        Exceptions count as failures."""
        try:
            r = fn(*args, **kw)
        except Exception as e:  # noqa: BLE001 - report, keep going
            tb = traceback.extract_tb(sys.exc_info()[2])
            where = "%s:%d" % (os.path.basename(tb[-1].filename), tb[-1].lineno) if tb else "?"
            return self.fail(name, "exception %s: %s (at %s)" % (type(e).__name__, e, where))
        if isinstance(r, Skip):
            self.skip(name, r)
            return True
        if r is None or r is True:
            return self.ok(name, True)
        if r is False:
            return self.fail(name, "check returned False")
        return self.fail(name, str(r))

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        return 1 if self.failed else 0


def _one_line(s):
    s = " ".join(str(s).split())
    return s if len(s) <= 400 else s[:397] + "..."


class Result:
    def __init__(self, cmd, rc, out, err):
        self.cmd, self.rc, self.out, self.err = cmd, rc, out, err

    @property
    def crashed(self):
        # A negative return code is a signal; >= 128 is how shells / wrappers
        # report a signal (or an abort) too. None = timeout.
        return self.rc is None or self.rc < 0 or self.rc >= 128

    def describe(self):
        return "rc=%s cmd=%s stderr=%r" % (self.rc, " ".join(self.cmd), self.err.strip()[:300])


def run(cmd, timeout=DEFAULT_TIMEOUT):
    cmd = [str(c) for c in cmd]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return Result(cmd, None, (e.stdout or b"").decode("utf-8", "replace"),
                      (e.stderr or b"").decode("utf-8", "replace") + "\n<timeout>")
    return Result(cmd, p.returncode, p.stdout.decode("utf-8", "replace"),
                  p.stderr.decode("utf-8", "replace"))


def npy_data_bytes(path):
    """The raw data bytes of a .npy file (everything after the header)."""
    with open(path, "rb") as f:
        blob = f.read()
    if blob[:6] != b"\x93NUMPY":
        raise ValueError("%s is not a .npy file" % path)
    major = blob[6]
    if major == 1:
        hlen = int.from_bytes(blob[8:10], "little")
        start = 10 + hlen
    else:
        hlen = int.from_bytes(blob[8:12], "little")
        start = 12 + hlen
    return blob[start:]


def compare_raw(host_path, other_path):
    """None if both .npy files have the same dtype/shape and identical data bytes."""
    a = np.load(host_path)
    b = np.load(other_path)
    if a.dtype != b.dtype or a.shape != b.shape:
        return "dtype/shape differ: host %s%s vs %s%s" % (a.dtype, a.shape, b.dtype, b.shape)
    da, db = npy_data_bytes(host_path), npy_data_bytes(other_path)
    if da != db:
        diff = np.flatnonzero(a.reshape(-1) != b.reshape(-1))
        return "data bytes differ in %d of %d elements (first at flat index %s)" % (
            diff.size, a.size, diff[:5].tolist())
    return None


def load_json(path):
    with open(path, "r") as f:
        return json.load(f)
