#!/usr/bin/env -S /usr/bin/python3
"""Self-test vectors (`modelc convert --selftest N`) end to end: every target's
runner replays the host's golden vectors before it runs anything and refuses
to go on if one output byte differs. A file whose weights were changed (with
its CRC made valid again, so it still loads) must fail the self-test on every
target, never crash or produce output.
"""
import os
import struct
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, board_too_small, guarded, parse_args, run  # noqa: E402


def crc_field_offset(blob):
    """Offset of File.crc32 (field 2) in a size-prefixed .mote file."""
    table = 4 + struct.unpack_from("<I", blob, 4)[0]
    vtable = table - struct.unpack_from("<i", blob, table)[0]
    vt_size = struct.unpack_from("<H", blob, vtable)[0]
    assert vt_size >= 4 + 2 * 3, "File table has no crc32 field"
    return table + struct.unpack_from("<H", blob, vtable + 4 + 2 * 2)[0]


def with_valid_crc(blob):
    blob = bytearray(blob)
    off = crc_field_offset(blob)
    declared = struct.unpack_from("<I", blob, 0)[0] + 4
    crc = zlib.crc32(bytes(blob[off + 4:declared]), zlib.crc32(bytes(blob[:off])))
    struct.pack_into("<I", blob, off, crc & 0xFFFFFFFF)
    return bytes(blob)


def main():
    a = parse_args(__doc__, "selftest")
    c = Checker()
    d = os.path.join(a.repo, "models", "digits_mlp")
    x = os.path.join(a.scratch, "x.npy")
    np.save(x, np.load(os.path.join(d, "test_x.npy"))[:4])
    targets = ["host"] + a.qemu_targets
    for precision in ("int8", "int16", "float32"):
        model = os.path.join(a.scratch, "digits_%s.mote" % precision)
        r = run([a.modelc, "convert", os.path.join(d, "digits_mlp.onnx"), "-o", model, "--calibration",
                 os.path.join(d, "calib.npy"), "--precision", precision, "--selftest", "8"])
        if not c.ok("convert %s --selftest 8" % precision, r.rc == 0, r.describe()):
            continue
        for t in targets:
            r = run([a.sim, "run", model, "--input", x, "--output", os.path.join(a.scratch, "y.npy"), "--target", t],
                    timeout=120)
            if board_too_small(r):
                c.skip("%s self-test on %s" % (precision, t), "model does not fit the board's RAM")
                continue
            c.ok("%s self-test passes on %s" % (precision, t), r.rc == 0, r.describe())
        if precision != "int8":
            continue
        # Change weight bytes (fixing the CRC, so the file still loads). The golden
        # vectors are calibration rows, so a change they cannot see (e.g. a weight on
        # an always-zero pixel) may still run. What must hold: no crash, and every
        # target reaches the same verdict with the same output bytes, as they compute
        # the same function; most changes are caught.
        blob = open(model, "rb").read()
        caught = runs = 0
        for k in range(12):
            pos = len(blob) // 3 + k * 97
            bad = bytearray(blob)
            bad[pos] ^= 0x55
            path = os.path.join(a.scratch, "tampered_%d.mote" % k)
            open(path, "wb").write(with_valid_crc(bad))
            verdicts = {}
            for t in targets:
                out = os.path.join(a.scratch, "t_%s.npy" % t)
                r = run([a.sim, "run", path, "--input", x, "--output", out, "--raw", "--target", t], timeout=120)
                if r.crashed:
                    c.fail("tampered file %d on %s does not crash" % (k, t), r.describe())
                elif board_too_small(r):
                    continue
                elif r.rc == 0:
                    runs += 1
                    verdicts[t] = open(out, "rb").read()
                else:
                    caught += "self-test" in r.err
                    verdicts[t] = "refused"
            c.ok("tampered file %d: same verdict and bytes on %s" % (k, ", ".join(verdicts)),
                 len(set(verdicts.values())) <= 1, "targets disagree")
        c.ok("tampered weights caught by the self-test in %d of %d target runs" % (caught, caught + runs),
             caught >= runs, "only %d refusals" % caught)
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
