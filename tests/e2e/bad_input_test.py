#!/usr/bin/python3
"""Bad inputs to mote-sim and modelc: clear errors, never a crash, no stray files.

  - mote-sim run / modelc inspect on truncated, bit-flipped, version-changed and
    non-.mote files;
  - mote-sim with inputs of the wrong shape / dtype / count, missing files;
  - modelc convert on unsupported ops, broken ONNX files, bad calibration data,
    missing calibration, budgets that cannot be met: non-zero exit, a message
    naming the problem, and no output file (nor *.tmp* leftovers).

A crash is a negative return code (signal), an exit code >= 128 or a timeout.

    /usr/bin/python3 tests/e2e/bad_input_test.py --bin build/host/bin --repo . \
        --work /tmp/mote-e2e --targets host,cortex-m4
"""
import os
import shutil
import struct
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402

# Words one of which a .mote load error must contain.
MOTE_WORDS = ("corrupt", "truncated", "integrity", "version", "alignment")
# Text that betrays a crash or an unhandled exception rather than an error report.
CRASH_MARKERS = ("traceback (most recent call last)", "segmentation fault", "core dumped",
                 "terminate called", "addresssanitizer", "undefinedbehaviorsanitizer",
                 "runtime error:", "assertion", "abort", "what():", "stack smashing")
N_FLIPS = 30


def error_problems(res, tool, words=(), all_words=(), tool_prefix=True):
    """Returns a failure reason for an invocation that should have failed cleanly
    with a message on stderr, or None. `words`: at least one must appear in
    stderr (case-insensitive); `all_words`: every one must appear."""
    if res.rc is None:
        return "timed out: " + res.describe()
    if res.crashed:
        return "crashed (rc %s): %s" % (res.rc, res.describe())
    if res.rc == 0:
        return "exit 0, expected an error: " + res.describe()
    err = res.err.strip()
    low = err.lower()
    if not err:
        return "non-zero exit %d but nothing on stderr" % res.rc
    for m in CRASH_MARKERS:
        if m in low:
            return "stderr looks like a crash (%r): %r" % (m, err[:300])
    if tool_prefix and not low.startswith(tool):
        return "stderr does not start with %r: %r" % (tool, err[:300])
    if words and not any(w.lower() in low for w in words):
        return "stderr names none of %s: %r" % (list(words), err[:300])
    missing = [w for w in all_words if w.lower() not in low]
    if missing:
        return "stderr lacks %s: %r" % (missing, err[:300])
    return None


def file_table(buf):
    """Absolute offsets of the File root table's fields in a size-prefixed
    FlatBuffer: dict field index -> offset (absent fields omitted)."""
    root = 4 + struct.unpack_from("<I", buf, 4)[0]
    vt = root - struct.unpack_from("<i", buf, root)[0]
    vt_size = struct.unpack_from("<H", buf, vt)[0]
    fields = {}
    for i in range((vt_size - 4) // 2):
        off = struct.unpack_from("<H", buf, vt + 4 + 2 * i)[0]
        if off:
            fields[i] = root + off
    return fields


def file_crc(buf, crc_at):
    """CRC-32 (zlib) of the size-prefixed file minus the 4 bytes at crc_at, as
    runtime/schema/mote.fbs documents the File.crc32 field."""
    size = struct.unpack_from("<I", buf, 0)[0] + 4
    return zlib.crc32(bytes(buf[:crc_at]) + bytes(buf[crc_at + 4:size]))


def crc_fixed_flips(c, a, w, blob, crc_at, sim_run, out_npy):
    """Bit flips with the CRC recomputed, so they get past the integrity check and
    exercise the FlatBuffers verifier and the semantic checks. A flipped file may
    still be a valid model (e.g. a changed weight): then it must run. Either way:
    no crash, and an error always comes with a message. Accepted variants must
    give byte-identical raw outputs on host and on the first QEMU target."""
    rs = np.random.RandomState(20)
    # Dense over the header / tables at the front, then spread over the rest.
    front = list(range(0, min(len(blob), 256), 2))
    rest = [int(p) for p in rs.randint(0, len(blob), 80)]
    problems, accepted, rejected = [], [], 0
    path = os.path.join(w, "flip_crc_fixed.mote")
    for k, pos in enumerate(front + rest):
        if crc_at <= pos < crc_at + 4:
            continue
        bit = (k * 3) % 8
        d = bytearray(blob)
        d[pos] ^= 1 << bit
        struct.pack_into("<I", d, crc_at, file_crc(d, crc_at))
        with open(path, "wb") as f:
            f.write(d)
        res = sim_run(path, extra=("--raw",))
        if res.rc == 0:
            if not os.path.exists(out_npy):
                problems.append("byte %d bit %d: exit 0 but no output" % (pos, bit))
            else:
                accepted.append((pos, bit))
        else:
            rejected += 1
            p = error_problems(res, "mote-sim")
            if p:
                problems.append("byte %d bit %d: mote-sim %s" % (pos, bit, p))
        res = E.run([a.modelc, "inspect", path, "--json"])
        if res.rc != 0:
            p = error_problems(res, "modelc")
            if p:
                problems.append("byte %d bit %d: modelc inspect %s" % (pos, bit, p))
        elif res.crashed:
            problems.append("byte %d bit %d: modelc inspect crashed" % (pos, bit))
    print("#   CRC-fixed flips: %d rejected, %d accepted as valid models"
          % (rejected, len(accepted)))
    c.ok("bit_flips_crc_fixed_no_crash", not problems,
         "%d problems; first: %s" % (len(problems), problems[:3]))
    if a.qemu_targets and accepted:
        t = a.qemu_targets[0]
        diffs = []
        for pos, bit in accepted[:8]:
            d = bytearray(blob)
            d[pos] ^= 1 << bit
            struct.pack_into("<I", d, crc_at, file_crc(d, crc_at))
            with open(path, "wb") as f:
                f.write(d)
            host_out = os.path.join(w, "flip_host.npy")
            res = sim_run(path, extra=("--raw",))
            if res.rc != 0:
                diffs.append("byte %d bit %d: host run failed now" % (pos, bit))
                continue
            shutil.copyfile(out_npy, host_out)
            res = sim_run(path, extra=("--raw", "--target", t))
            if res.rc != 0:
                diffs.append("byte %d bit %d: %s" % (pos, bit, res.describe()))
                continue
            e = E.compare_raw(host_out, out_npy)
            if e:
                diffs.append("byte %d bit %d: %s" % (pos, bit, e))
        c.ok("bit_flips_crc_fixed_valid_variants_bitexact_on_%s" % t, not diffs,
             "; ".join(diffs[:3]))


def main():
    a = E.parse_args(__doc__.splitlines()[0], "bad_input")
    c = E.Checker()
    w = a.scratch
    mdir = os.path.join(a.repo, "models", "digits_mlp")
    onnx_path = os.path.join(mdir, "digits_mlp.onnx")
    calib = os.path.join(mdir, "calib.npy")
    test_x = os.path.join(mdir, "test_x.npy")
    out_npy = os.path.join(w, "out.npy")

    # A good model to damage.
    good = os.path.join(w, "good.mote")
    good_report = os.path.join(w, "good.json")
    r = E.run([a.modelc, "convert", onnx_path, "-o", good, "--calibration", calib,
               "--precision", "int8", "--report", good_report])
    if not c.ok("setup_convert_good_model", r.rc == 0 and os.path.isfile(good), r.describe()):
        return c.finish()
    blob = open(good, "rb").read()
    size = len(blob)
    report = E.load_json(good_report)

    def sim_run(model, inputs=(test_x,), outputs=(out_npy,), extra=()):
        if os.path.exists(out_npy):
            os.remove(out_npy)
        cmd = [a.sim, "run", model]
        for i in inputs:
            cmd += ["--input", i]
        for o in outputs:
            cmd += ["--output", o]
        return E.run(list(cmd) + list(extra), timeout=60)

    def bad_model_check(path, words=MOTE_WORDS, target=None):
        def check():
            extra = ["--target", target] if target else []
            res = sim_run(path, extra=extra)
            p = error_problems(res, "mote-sim", words)
            if p:
                return "mote-sim run: " + p
            if os.path.exists(out_npy):
                return "mote-sim failed but wrote %s" % out_npy
            if target:
                return None
            res = E.run([a.modelc, "inspect", path])
            p = error_problems(res, "modelc", words)
            if p:
                return "modelc inspect: " + p
            res = E.run([a.modelc, "inspect", path, "--json"])
            p = error_problems(res, "modelc", words)
            if p:
                return "modelc inspect --json: " + p
        return check

    # --- truncated files ---------------------------------------------------
    for n in (0, 8, 100, size // 2, size - 1):
        path = os.path.join(w, "trunc_%d.mote" % n)
        with open(path, "wb") as f:
            f.write(blob[:n])
        c.run("truncated_%d_of_%d" % (n, size), bad_model_check(path))
    if a.qemu_targets:
        t = "cortex-m4" if "cortex-m4" in a.qemu_targets else a.qemu_targets[0]
        c.run("truncated_%d_on_%s" % (size // 2, t),
              bad_model_check(os.path.join(w, "trunc_%d.mote" % (size // 2)), target=t))

    # --- single bit flips spread over the file -----------------------------
    positions = sorted(set(int(p) for p in np.linspace(0, size - 1, N_FLIPS)))
    flip_fail = []
    for k, pos in enumerate(positions):
        bit = k % 8
        d = bytearray(blob)
        d[pos] ^= 1 << bit
        path = os.path.join(w, "flip.mote")
        with open(path, "wb") as f:
            f.write(d)
        p = bad_model_check(path)()
        if p:
            flip_fail.append("byte %d bit %d: %s" % (pos, bit, p))
    c.ok("bit_flips_%d_positions_rejected" % len(positions), not flip_fail,
         "%d of %d flips not cleanly rejected; first: %s" % (
             len(flip_fail), len(positions), flip_fail[:2]))

    # --- schema version changed ---------------------------------------------
    def version_checks():
        fields = file_table(blob)
        if 0 not in fields or 2 not in fields:
            return "File table lacks version_major or crc32 (fields %s)" % sorted(fields)
        return fields
    fields = None
    try:
        fields = version_checks()
    except Exception as e:  # noqa: BLE001
        fields = "cannot parse the File table: %s" % e
    if isinstance(fields, str):
        c.fail("file_table_parse", fields)
    else:
        vmaj_at, crc_at = fields[0], fields[2]
        vmaj = struct.unpack_from("<H", blob, vmaj_at)[0]
        stored = struct.unpack_from("<I", blob, crc_at)[0]
        c.ok("crc32_field_matches_schema_doc", file_crc(blob, crc_at) == stored,
             "File.crc32 is 0x%08x, CRC-32 of the file without those 4 bytes is 0x%08x"
             % (stored, file_crc(blob, crc_at)))
        crc_fixed_flips(c, a, w, blob, crc_at, sim_run, out_npy)
        for new in (vmaj + 1, (vmaj + 0x100) & 0xFFFF, 0):
            if new == vmaj:
                continue
            # Stale CRC: any of the load-error words will do.
            d = bytearray(blob)
            struct.pack_into("<H", d, vmaj_at, new)
            path = os.path.join(w, "version_%d_stale_crc.mote" % new)
            open(path, "wb").write(d)
            c.run("version_major_%d_stale_crc" % new, bad_model_check(path))
            # CRC recomputed: the file is intact except for the version, so the
            # message must say "version".
            struct.pack_into("<I", d, crc_at, file_crc(d, crc_at))
            path = os.path.join(w, "version_%d.mote" % new)
            open(path, "wb").write(d)
            c.run("version_major_%d_refused" % new, bad_model_check(path, words=("version",)))

    # --- files that are not .mote at all -----------------------------------
    text = os.path.join(w, "text.mote")
    with open(text, "w") as f:
        f.write("this is a text file, not a model\n" * 20)
    onnx_as_mote = os.path.join(w, "onnx_renamed.mote")
    shutil.copyfile(onnx_path, onnx_as_mote)
    npy_as_mote = os.path.join(w, "npy_renamed.mote")
    shutil.copyfile(test_x, npy_as_mote)
    for nm, path in (("text", text), ("onnx", onnx_as_mote), ("npy", npy_as_mote)):
        c.run("not_a_mote_file_%s" % nm, bad_model_check(path, words=MOTE_WORDS + ("not a",)))
    c.run("model_file_missing", bad_model_check(os.path.join(w, "no_such.mote"),
                                                words=("no_such.mote",)))

    # --- mote-sim input errors -----------------------------------------------
    x = np.load(test_x)
    bad_inputs = {
        "wrong_shape_540x63": (x[:, :63], ("shape",)),
        "wrong_shape_3d": (x.reshape(540, 8, 8), ("shape",)),
        "wrong_shape_flat_sample": (x[0], ("shape",)),
        "wrong_dtype_int32": ((x * 16).astype(np.int32), ("type", "dtype", "int32", "i4")),
        "wrong_dtype_uint8": ((x * 16).astype(np.uint8), ("type", "dtype", "uint8", "u1")),
        "wrong_dtype_bool": (x > 0.5, ("type", "dtype", "bool", "b1")),
    }
    for nm, (arr, words) in bad_inputs.items():
        p = os.path.join(w, nm + ".npy")
        np.save(p, arr)

        def check(p=p, words=words):
            res = sim_run(good, inputs=(p,))
            e = error_problems(res, "mote-sim", words)
            if e:
                return e
            if os.path.exists(out_npy):
                return "failed but wrote the output file"
        c.run("sim_input_" + nm, check)

    def shape_message_well_formed():
        # The message quotes shapes; brackets and parentheses must balance so the
        # expected form is readable, e.g. "(expected [1,64] or [N,64])".
        res = sim_run(good, inputs=(os.path.join(w, "wrong_shape_540x63.npy"),))
        msg = res.err.strip()
        if res.rc in (0, None) or not msg:
            return "no error message: " + res.describe()
        for o, cl in (("(", ")"), ("[", "]")):
            if msg.count(o) != msg.count(cl):
                return "unbalanced %s%s in %r" % (o, cl, msg)
    c.run("sim_shape_message_well_formed", shape_message_well_formed)

    def special_values():
        # NaN / +-Inf / huge float inputs: no crash; a result (or a clean error);
        # QEMU results equal host (NaN compared as NaN: the default NaN that
        # inf - inf produces differs in sign bit between x86 and ARM).
        xs = x[:8].copy()
        xs[0, :] = np.nan
        xs[1, :] = np.inf
        xs[2, :] = -np.inf
        xs[3, :] = 1e30
        xs[4, :] = -1e30
        xs[5, :5] = np.nan
        xs[6, :] = 3e9
        xs[7, :] = -3e9
        p = os.path.join(w, "special_values.npy")
        np.save(p, xs)
        f32 = os.path.join(w, "good_f32.mote")
        r = E.run([a.modelc, "convert", onnx_path, "-o", f32, "--precision", "float32"])
        if r.rc != 0:
            return "float32 convert: " + r.describe()
        notes = []
        for model in (good, f32):
            res = sim_run(model, inputs=(p,), extra=("--raw",))
            if res.rc != 0:
                e = error_problems(res, "mote-sim")
                if e:
                    return "%s: %s" % (os.path.basename(model), e)
                continue
            host = os.path.join(w, "special_host.npy")
            shutil.copyfile(out_npy, host)
            for t in a.qemu_targets[:1]:
                res = sim_run(model, inputs=(p,), extra=("--raw", "--target", t))
                if res.rc != 0:
                    return "%s on %s: %s" % (os.path.basename(model), t, res.describe())
                h, q = np.load(host), np.load(out_npy)
                if h.dtype.kind == "f":
                    if not np.array_equal(h, q, equal_nan=True):
                        return "%s: %s differs from host beyond NaN encoding" % (
                            os.path.basename(model), t)
                    nbits = int(np.sum(h.view(np.uint32) != q.view(np.uint32)))
                    if nbits:
                        notes.append("%s: %d NaN outputs differ in bit pattern on %s"
                                     % (os.path.basename(model), nbits, t))
                elif E.compare_raw(host, out_npy):
                    return "%s: %s" % (os.path.basename(model), E.compare_raw(host, out_npy))
        for n in notes:
            print("#   note: " + n)
    c.run("sim_special_float_values", special_values)

    trunc_npy = os.path.join(w, "truncated_input.npy")
    open(trunc_npy, "wb").write(open(test_x, "rb").read()[:1000])
    not_npy = os.path.join(w, "not_npy.npy")
    open(not_npy, "w").write("hello\n" * 50)
    sim_cases = [
        ("sim_input_truncated_npy", dict(inputs=(trunc_npy,)), ("truncated", "short")),
        ("sim_input_not_npy", dict(inputs=(not_npy,)), ("npy",)),
        ("sim_two_inputs_for_one", dict(inputs=(test_x, test_x)), ("input",)),
        ("sim_no_input", dict(inputs=()), ("input",)),
        ("sim_two_outputs_for_one", dict(outputs=(out_npy, os.path.join(w, "o2.npy"))),
         ("output",)),
        ("sim_input_missing_file", dict(inputs=(os.path.join(w, "missing_input.npy"),)),
         ("missing_input.npy",)),
        ("sim_output_unwritable", dict(outputs=(os.path.join(w, "no_dir", "o.npy"),)),
         ("no_dir",)),
        ("sim_unknown_target", dict(extra=("--target", "cortex-m99")), ("cortex-m99",)),
        ("sim_unknown_option", dict(extra=("--bogus",)), ("--bogus",)),
    ]
    for nm, kw, words in sim_cases:
        def check(kw=kw, words=words):
            res = sim_run(good, **kw)
            return error_problems(res, "mote-sim", words)
        c.run(nm, check)

    # --- modelc convert errors ---------------------------------------------
    outdir = os.path.join(w, "convert_out")
    os.makedirs(outdir)
    out_mote = os.path.join(outdir, "out.mote")
    out_h = os.path.join(outdir, "out.h")
    out_json = os.path.join(outdir, "out.json")

    last_convert = [None]

    def convert_fails(model, args, words=(), all_words=()):
        """Runs modelc convert into the empty outdir; it must fail cleanly and
        leave outdir empty."""
        for f in os.listdir(outdir):
            os.remove(os.path.join(outdir, f))
        res = E.run([a.modelc, "convert", model, "-o", out_mote, "--header", out_h,
                     "--report", out_json] + list(args))
        last_convert[0] = res
        e = error_problems(res, "modelc", words, all_words)
        if e:
            return e
        left = sorted(os.listdir(outdir))
        if left:
            return "failed conversion left files behind: %s" % left
        return None

    inputs_dir = os.path.join(w, "convert_in")
    os.makedirs(inputs_dir)
    trunc_onnx = os.path.join(inputs_dir, "truncated.onnx")
    open(trunc_onnx, "wb").write(open(onnx_path, "rb").read()[:1000])
    text_onnx = os.path.join(inputs_dir, "text.onnx")
    open(text_onnx, "w").write("not an onnx model, just text\n" * 10)
    empty_onnx = os.path.join(inputs_dir, "empty.onnx")
    open(empty_onnx, "wb").close()
    calib = np.load(os.path.join(mdir, "calib.npy"))
    c63 = os.path.join(inputs_dir, "calib_63.npy")
    np.save(c63, calib[:, :63])
    c65 = os.path.join(inputs_dir, "calib_65.npy")
    np.save(c65, np.concatenate([calib, calib[:, :1]], axis=1))
    calib_path = os.path.join(mdir, "calib.npy")
    arena = int(report["arena_bytes"])
    macs = int(report["total_macs"])
    fbytes = os.path.getsize(good)

    convert_cases = [
        ("modelc_truncated_onnx", trunc_onnx, ["--calibration", calib_path],
         ("onnx", "truncated", "parse", "invalid"), ("truncated.onnx",)),
        ("modelc_text_file_as_onnx", text_onnx, ["--calibration", calib_path],
         ("onnx", "parse", "invalid"), ("text.onnx",)),
        ("modelc_empty_onnx", empty_onnx, ["--calibration", calib_path],
         ("onnx", "parse", "invalid", "empty", "truncated"), ("empty.onnx",)),
        ("modelc_missing_model", os.path.join(inputs_dir, "missing.onnx"),
         ["--calibration", calib_path], (), ("missing.onnx",)),
        ("modelc_calibration_63_features", onnx_path, ["--calibration", c63],
         ("shape", "feature", "63"), ("calib_63.npy",)),
        ("modelc_calibration_65_features", onnx_path, ["--calibration", c65],
         ("shape", "feature", "65"), ("calib_65.npy",)),
        ("modelc_calibration_missing_file", onnx_path,
         ["--calibration", os.path.join(inputs_dir, "nope.npy")], (), ("nope.npy",)),
        ("modelc_int8_without_calibration", onnx_path, ["--precision", "int8"], (),
         ("calibration",)),
        ("modelc_int16_without_calibration", onnx_path, ["--precision", "int16"], (),
         ("calibration",)),
        ("modelc_default_precision_without_calibration", onnx_path, [], (),
         ("calibration",)),
        ("modelc_unknown_precision", onnx_path,
         ["--calibration", calib_path, "--precision", "int4"], (), ("int4",)),
        ("modelc_max_arena_not_a_number", onnx_path,
         ["--calibration", calib_path, "--max-arena", "abc"], (), ("max-arena",)),
        # The audio front-end (--frontend): bad parameters, and a classifier
        # whose input is not [1, n_mels, T].
        ("modelc_frontend_unknown_parameter", onnx_path,
         ["--calibration", calib_path, "--frontend", "logmel:n_fft=512,hop=3"], (),
         ("frontend", "hop")),
        ("modelc_frontend_n_fft_not_power_of_two", onnx_path,
         ["--calibration", calib_path, "--frontend", "logmel:n_fft=400"], (),
         ("n_fft=400", "power of two")),
        ("modelc_frontend_bad_window", onnx_path,
         ["--calibration", calib_path, "--frontend", "mfcc:n_fft=512,window=kaiser"], (),
         ("window=kaiser", "hann")),
        ("modelc_frontend_classifier_input_not_features", onnx_path,
         ["--calibration", calib_path, "--frontend", "logmel:n_fft=512,n_mels=40"], (),
         ("frontend", "n_mels")),
    ]
    for nm, model, args, words, all_words in convert_cases:
        c.run(nm, convert_fails, model, args, words, all_words)

    # Budgets: must say by how much (the excess, or both the value and the budget).
    def budget(flag, limit, actual, what):
        def check():
            e = convert_fails(onnx_path, ["--calibration", calib_path, flag, str(limit)],
                              words=what)
            if e:
                return e
            err = last_convert[0].err
            if str(actual - limit) not in err and not (str(actual) in err and str(limit) in err):
                return "message does not say by how much (%d over %d): %r" % (
                    actual, limit, err.strip())
        return check
    c.run("modelc_max_arena_10", budget("--max-arena", 10, arena, ("arena",)))
    c.run("modelc_max_macs_100", budget("--max-macs", 100, macs, ("mac",)))
    c.run("modelc_max_flash_100", budget("--max-flash", 100, fbytes, ("flash", "file")))

    def budget_exact_ok():
        # Budgets equal to the actual figures must pass (the limit is inclusive).
        for f in os.listdir(outdir):
            os.remove(os.path.join(outdir, f))
        res = E.run([a.modelc, "convert", onnx_path, "-o", out_mote, "--calibration", calib_path,
                     "--max-arena", str(arena), "--max-macs", str(macs),
                     "--max-flash", str(fbytes)])
        if res.rc != 0:
            return "budgets equal to the actual figures refused: " + res.describe()
    c.run("modelc_budgets_at_exact_values_pass", budget_exact_ok)

    def existing_output_untouched():
        # A failed conversion must not overwrite (or truncate) an existing -o file.
        for f in os.listdir(outdir):
            os.remove(os.path.join(outdir, f))
        sentinel = b"previous output, must survive a failed conversion\n"
        open(out_mote, "wb").write(sentinel)
        res = E.run([a.modelc, "convert", onnx_path, "-o", out_mote, "--calibration", calib_path,
                     "--max-arena", "10"])
        e = error_problems(res, "modelc", ("arena",))
        if e:
            return e
        if os.path.exists(out_mote) and open(out_mote, "rb").read() != sentinel:
            return "existing output file was modified by a failed conversion"
        left = [f for f in os.listdir(outdir) if f != "out.mote"]
        if left:
            return "leftovers: %s" % left
    c.run("modelc_failed_convert_keeps_existing_output", existing_output_untouched)

    def unwritable_output():
        res = E.run([a.modelc, "convert", onnx_path, "-o", os.path.join(w, "no_dir", "o.mote"),
                     "--calibration", calib_path])
        return error_problems(res, "modelc", ("no_dir",))
    c.run("modelc_output_unwritable", unwritable_output)

    # Unsupported operators, built with python3-onnx when available.
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except Exception as e:  # noqa: BLE001
        onnx = None
        c.skip("modelc_unsupported_op", "python3-onnx not importable: %s" % e)
    if onnx is not None:
        rs0 = np.random.RandomState(0)
        cal4 = os.path.join(inputs_dir, "calib_4.npy")
        np.save(cal4, rs0.randn(32, 4).astype(np.float32))
        cal114 = os.path.join(inputs_dir, "calib_1x4.npy")  # batch [N,1,4] for input [1,1,4]
        np.save(cal114, rs0.randn(32, 1, 4).astype(np.float32))

        def make(kind):
            xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
            yo = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
            inits, nodes = [], []
            if kind == "Einsum":
                # Three operands: mote's Einsum takes one or two.
                nodes.append(helper.make_node("Einsum", ["x", "x", "x"], ["y"], name="my_bad_node",
                                              equation="ij,ij,ij->ij"))
            elif kind in ("Det", "Elu"):  # an op modelc does not have / an attribute it does not know, after a supported op
                inits.append(numpy_helper.from_array(np.eye(4, dtype=np.float32), "W"))
                nodes.append(helper.make_node("MatMul", ["x", "W"], ["h"], name="fc"))
                extra = {"alpha": 0.1, "mote_unknown_attribute": 2} if kind == "Elu" else {}
                nodes.append(helper.make_node(kind, ["h"], ["y"], name="my_bad_node", **extra))
            elif kind in ("LSTM", "GRU", "RNN"):  # recurrent layers with a feature mote lacks
                hidden, gates = 4, {"LSTM": 4, "GRU": 3, "RNN": 1}[kind]
                xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4])
                yo = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 1, hidden])
                rs = np.random.RandomState(1)
                inits.append(numpy_helper.from_array(
                    rs.randn(1, gates * hidden, 4).astype(np.float32), "W"))
                inits.append(numpy_helper.from_array(
                    rs.randn(1, gates * hidden, hidden).astype(np.float32), "R"))
                extra = {"LSTM": {"clip": 3.0}, "GRU": {"activations": ["Sigmoid", "Relu"]},
                         "RNN": {"activation_alpha": [0.5]}}[kind]
                nodes.append(helper.make_node(kind, ["x", "W", "R"], ["y"], name="my_bad_node",
                                              hidden_size=hidden, **extra))
            elif kind == "Resize":  # bicubic: not supported (nearest and linear are)
                xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 2, 2])
                yo = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 4, 4])
                inits.append(numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales"))
                nodes.append(helper.make_node("Resize", ["x", "", "scales"], ["y"], name="my_bad_node",
                                              mode="cubic"))
            elif kind == "ConvTranspose":  # 3-D: not supported (1-D and 2-D are)
                xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 2, 2, 2])
                yo = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1, 3, 3, 3])
                inits.append(numpy_helper.from_array(np.ones((1, 1, 2, 2, 2), np.float32), "W"))
                nodes.append(helper.make_node("ConvTranspose", ["x", "W"], ["y"], name="my_bad_node"))
            elif kind == "Cast":  # a computed float to an integer type: no integer activations
                yo = helper.make_tensor_value_info("y", TensorProto.INT32, [1, 4])
                inits.append(numpy_helper.from_array(np.eye(4, dtype=np.float32), "W"))
                nodes.append(helper.make_node("MatMul", ["x", "W"], ["h"], name="fc"))
                nodes.append(helper.make_node("Cast", ["h"], ["y"], name="my_bad_node", to=TensorProto.INT32))
            g = helper.make_graph(nodes, "bad_" + kind, [xi], [yo], initializer=inits)
            m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
            m.ir_version = 7
            if kind != "Elu":  # the checker refuses the unknown attribute too; exporters need not
                onnx.checker.check_model(m)
            path = os.path.join(inputs_dir, "bad_%s.onnx" % kind)
            onnx.save(m, path)
            return path

        cal_image = os.path.join(inputs_dir, "calib_1x2x2.npy")  # input [1,1,2,2]
        np.save(cal_image, rs0.rand(8, 1, 2, 2).astype(np.float32))
        cal_volume = os.path.join(inputs_dir, "calib_1x2x2x2.npy")  # input [1,1,2,2,2]
        np.save(cal_volume, rs0.rand(8, 1, 2, 2, 2).astype(np.float32))
        calibration = {"LSTM": cal114, "GRU": cal114, "RNN": cal114, "Resize": cal_image,
                       "ConvTranspose": cal_volume}
        for kind in ("Einsum", "Det", "Elu", "LSTM", "GRU", "RNN", "Resize", "ConvTranspose", "Cast"):
            def check(kind=kind):
                path = make(kind)
                calib_args = ["--calibration", calibration.get(kind, cal4)]
                # An op modelc has, with an attribute it does not: refused by the attribute's name.
                attribute = {"Elu": "mote_unknown_attribute", "LSTM": "clip", "GRU": "activations",
                             "RNN": "activation_alpha"}.get(kind)
                named = ("my_bad_node", kind) + ((attribute,) if attribute else ())
                for prec in ("int8", "float32"):
                    args = (calib_args if prec == "int8" else []) + ["--precision", prec]
                    e = convert_fails(path, args,
                                      words=("not supported", "unsupported", "no support"),
                                      all_words=named)
                    if e:
                        return "%s: %s" % (prec, e)
            c.run("modelc_unsupported_op_%s" % kind, check)

        def quantized_only_in_float():
            # A reduction with no integer kernel: float32 converts, int8 is refused by name.
            inits = [numpy_helper.from_array(np.eye(4, dtype=np.float32), "W")]
            nodes = [helper.make_node("MatMul", ["x", "W"], ["h"], name="fc"),
                     helper.make_node("ReduceProd", ["h"], ["y"], name="my_bad_node", axes=[-1])]
            g = helper.make_graph(nodes, "bad_reduce_prod", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 1])], initializer=inits)
            m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
            m.ir_version = 7
            path = os.path.join(inputs_dir, "bad_reduce_prod.onnx")
            onnx.save(m, path)
            e = convert_fails(path, ["--calibration", cal4, "--precision", "int8"], words=("not supported",),
                              all_words=("my_bad_node", "Reduce", "float32"))
            if e:
                return "int8: " + e
            res = E.run([a.modelc, "convert", path, "-o", out_mote, "--precision", "float32"])
            return None if res.rc == 0 else "float32 conversion failed: " + res.describe()
        c.run("modelc_reduce_prod_int8_refused", quantized_only_in_float)

        def stream_refused():
            # --stream: a hop that does not divide the axis, a stateful step through an op
            # that is not a transpose: refused with the reason, nothing written.
            gru = os.path.join(a.repo, "models", "gru_classifier")
            cal = ["--calibration", os.path.join(gru, "calib.npy")]
            onnx_gru = os.path.join(gru, "gru_classifier.onnx")
            e = convert_fails(onnx_gru, cal + ["--stream", "input=x,axis=1,hop=3"],
                              all_words=("--stream", "hop 3", "divide"))
            if e:
                return "hop 3: " + e
            cnn = os.path.join(a.repo, "models", "sensor_cnn1d")
            return convert_fails(os.path.join(cnn, "sensor_cnn1d.onnx"),
                                 ["--calibration", os.path.join(cnn, "calib.npy"), "--stream",
                                  "input=x,axis=2,hop=16,mode=state"],
                                 all_words=("--stream", "before a recurrent layer"))
        c.run("modelc_stream_refused", stream_refused)
    if onnx is not None:
        # Data movement (ops/data_movement.cc): indices or starts that are computed,
        # and constants that contradict the data, are refused by node, op and reason.
        def make_moving(kind):
            xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
            yo = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
            inits, nodes = [], []
            if kind in ("gather_computed_indices", "slice_computed_starts"):
                nodes.append(helper.make_node("ArgMax", ["x"], ["idx"], name="argmax", axis=1, keepdims=0))
            if kind == "gather_computed_indices":  # from an integer table: only float tables run
                inits.append(numpy_helper.from_array(np.arange(8, dtype=np.int64).reshape(4, 2), "table"))
                nodes.append(helper.make_node("Gather", ["table", "idx"], ["y"], name="my_bad_node", axis=0))
            elif kind == "gather_index_out_of_range":
                inits.append(numpy_helper.from_array(np.array([1, 7], np.int64), "idx"))
                nodes.append(helper.make_node("Gather", ["x", "idx"], ["y"], name="my_bad_node", axis=1))
            else:
                inits += [numpy_helper.from_array(np.array([4], np.int64), "ends"),
                          numpy_helper.from_array(np.array([1], np.int64), "axes"),
                          numpy_helper.from_array(np.array([0 if kind == "slice_step_zero" else 1], np.int64),
                                                  "steps")]
                if kind == "slice_step_zero":
                    inits.append(numpy_helper.from_array(np.array([0], np.int64), "idx"))
                nodes.append(helper.make_node("Slice", ["x", "idx", "ends", "axes", "steps"], ["y"],
                                              name="my_bad_node"))
            g = helper.make_graph(nodes, "bad_" + kind, [xi], [yo], initializer=inits)
            m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
            m.ir_version = 7
            path = os.path.join(inputs_dir, "bad_%s.onnx" % kind)
            onnx.save(m, path)
            return path

        moving_cases = [
            ("gather_computed_indices", ("my_bad_node", "Gather", "integer constant")),
            ("slice_computed_starts", ("my_bad_node", "Slice", "constant")),
            ("gather_index_out_of_range", ("my_bad_node", "Gather", "7", "out of range")),
            ("slice_step_zero", ("my_bad_node", "Slice", "steps")),
        ]
        for kind, named in moving_cases:
            def check(kind=kind, named=named):
                path = make_moving(kind)
                for prec in ("int8", "float32"):
                    args = (["--calibration", cal4] if prec == "int8" else []) + ["--precision", prec]
                    e = convert_fails(path, args, all_words=named)
                    if e:
                        return "%s: %s" % (prec, e)
            c.run("modelc_data_movement_%s" % kind, check)

    if onnx is not None:
        # Pre-quantized ONNX (passes/qdq.cc): arrangements mote does not run are
        # refused by node, op and reason; some convert in float32 only.
        def make_qdq(kind):
            xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
            yo = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
            opset = 13
            inits = [numpy_helper.from_array(np.eye(4, dtype=np.float32), "W")]
            nodes = [helper.make_node("MatMul", ["x", "W"], ["h"], name="fc")]
            scale, zp, attrs = np.array(0.05, np.float32), np.array(0, np.int8), {}
            if kind == "int16":
                zp = np.array(0, np.int16)
            elif kind == "saturate":  # float8 arithmetic (opset 19)
                opset, attrs = 19, {"saturate": 0}
            elif kind == "block_size":  # block-wise quantization (opset 21)
                opset, attrs = 21, {"block_size": 2, "axis": 1}
                scale, zp = np.full((1, 2), 0.05, np.float32), np.zeros((1, 2), np.int8)
            elif kind == "per_axis_activation":
                attrs = {"axis": 1}
                scale, zp = np.full(4, 0.05, np.float32), np.zeros(4, np.int8)
            inits += [numpy_helper.from_array(scale, "s"), numpy_helper.from_array(zp, "z")]
            if kind == "float8":  # a FLOAT8E4M3FN zero point (opset 19; type 17, newer than this onnx module)
                opset = 19
                inits[-1].data_type = 17
            if kind == "conv_integer":
                xi = helper.make_tensor_value_info("x", TensorProto.UINT8, [1, 1, 3, 3])
                yo = helper.make_tensor_value_info("y", TensorProto.INT32, [1, 1, 2, 2])
                inits = [numpy_helper.from_array(np.ones((1, 1, 2, 2), np.uint8), "W"),
                         numpy_helper.from_array(np.array(1, np.uint8), "xz")]
                nodes = [helper.make_node("ConvInteger", ["x", "W", "xz"], ["y"], name="my_bad_node")]
            else:
                nodes += [helper.make_node("QuantizeLinear", ["h", "s", "z"], ["q"], name="my_bad_node", **attrs),
                          helper.make_node("DequantizeLinear", ["q", "s", "z"], ["y"], name="dq", **attrs)]
            g = helper.make_graph(nodes, "bad_qdq_" + kind, [xi], [yo], initializer=inits)
            m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
            m.ir_version = 8
            path = os.path.join(inputs_dir, "bad_qdq_%s.onnx" % kind)
            onnx.save(m, path)
            return path

        qdq_cases = [  # kind, words the error must hold, whether float32 converts
            ("int16", ("my_bad_node", "QuantizeLinear", "int16"), False),
            ("saturate", ("my_bad_node", "QuantizeLinear", "saturate"), False),
            ("float8", ("my_bad_node", "QuantizeLinear", "FLOAT8"), False),
            ("block_size", ("my_bad_node", "QuantizeLinear", "block_size"), False),
            ("per_axis_activation", ("my_bad_node", "QuantizeLinear", "per-axis"), True),
            ("conv_integer", ("my_bad_node", "ConvInteger", "int32", "float32"), True),
        ]
        for kind, named, float_ok in qdq_cases:
            def check(kind=kind, named=named, float_ok=float_ok):
                path = make_qdq(kind)
                e = convert_fails(path, ["--precision", "int8"], words=("not supported", "no mote"),
                                  all_words=named)
                if e:
                    return "int8: " + e
                if float_ok:
                    res = E.run([a.modelc, "convert", path, "-o", out_mote, "--precision", "float32"])
                    return None if res.rc == 0 else "float32 conversion failed: " + res.describe()
                e = convert_fails(path, ["--precision", "float32"], all_words=named)
                return "float32: " + e if e else None
            c.run("modelc_qdq_%s" % kind, check)

    if onnx is not None:
        # ONNX signal ops (ops/signal.cc): refused attributes and computed
        # parameters are named with node, op and reason.
        def make_signal(kind):
            xi = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 64, 1])
            yo = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
            inits = [numpy_helper.from_array(np.array(16, np.int64), "n"),
                     numpy_helper.from_array(np.array(8, np.int64), "hop")]
            if kind == "dft_inverse_onesided":
                nodes = [helper.make_node("DFT", ["x"], ["y"], name="my_bad_node", axis=1, inverse=1, onesided=1)]
            elif kind == "window_output_double":
                nodes = [helper.make_node("HannWindow", ["n"], ["w"], name="my_bad_node", output_datatype=11),
                         helper.make_node("STFT", ["x", "hop", "w"], ["y"], name="stft")]
            else:  # stft_computed_window: the window is a slice of the signal
                inits += [numpy_helper.from_array(np.array([0, 0, 0], np.int64), "starts"),
                          numpy_helper.from_array(np.array([1, 16, 1], np.int64), "ends"),
                          numpy_helper.from_array(np.array([16], np.int64), "flat")]
                nodes = [helper.make_node("Slice", ["x", "starts", "ends"], ["s"]),
                         helper.make_node("Reshape", ["s", "flat"], ["w"]),
                         helper.make_node("STFT", ["x", "hop", "w"], ["y"], name="my_bad_node")]
            g = helper.make_graph(nodes, "bad_" + kind, [xi], [yo], initializer=inits)
            path = os.path.join(inputs_dir, "bad_%s.onnx" % kind)
            onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)
            return path

        signal_cases = [
            ("dft_inverse_onesided", ("my_bad_node", "DFT", "onesided", "not supported")),
            ("window_output_double", ("my_bad_node", "HannWindow", "output_datatype 11")),
            ("stft_computed_window", ("my_bad_node", "STFT", "window", "constant")),
        ]
        for kind, named in signal_cases:
            def check(kind=kind, named=named):
                return convert_fails(make_signal(kind), ["--precision", "float32"], all_words=named)
            c.run("modelc_signal_%s" % kind, check)

    # Token ids (an INT64 graph input, an int32 model input; models/text_embed): ids that do
    # not fit int32, float ids, and ids out of the table's range at run time are errors that
    # name the problem (the last one the Gather op and the index), never a read out of bounds.
    text = os.path.join(a.repo, "models", "text_embed")
    text_model = os.path.join(w, "text_embed.mote")
    r = E.run([a.modelc, "convert", os.path.join(text, "text_embed.onnx"), "-o", text_model, "--calibration",
               os.path.join(text, "calib.npy"), "--precision", "int8"])
    if c.ok("setup_convert_text_embed", r.rc == 0, r.describe()):
        ids = np.load(os.path.join(text, "test_x.npy"))[:4]
        id_cases = [("id_past_table", ids.copy(), 7, 200, ("gather index out of range", "operator 0", "200")),
                    ("id_before_table", ids.copy(), 9, -201, ("gather index out of range", "-201")),
                    ("id_past_int32", ids.copy(), 3, 2 ** 31, ("does not fit", "int32")),
                    ("id_float", ids.astype(np.float32), 0, 1.5, ("give integers",))]
        for name, x, at, value, words in id_cases:
            def check(name=name, x=x, at=at, value=value, words=words):
                x.flat[at] = value
                path = os.path.join(w, "ids_%s.npy" % name)
                np.save(path, x)
                for t in ["host"] + a.qemu_targets[:1]:
                    res = sim_run(text_model, inputs=(path,), extra=["--target", t])
                    p = error_problems(res, "mote-sim", all_words=words if t == "host" else words[:1])
                    if p:
                        return "%s: %s" % (t, p)
            c.run("runtime_token_ids_%s" % name, check)
        # Calibration ids that do not fit int32 are refused by modelc, naming the input.
        bad_calib = os.path.join(w, "ids_calib_bad.npy")
        big = np.load(os.path.join(text, "calib.npy"))
        big[1, 2] = -(2 ** 40)
        np.save(bad_calib, big)
        c.run("modelc_token_ids_calibration_past_int32",
              lambda: convert_fails(os.path.join(text, "text_embed.onnx"), ["--calibration", bad_calib],
                                    all_words=("not an int32 value", "'x'")))

    tmp_left = [f for f in os.listdir(outdir) if ".tmp" in f]
    c.ok("modelc_no_tmp_leftovers", not tmp_left, "leftovers: %s" % tmp_left)
    return c.finish()


if __name__ == "__main__":
    sys.exit(E.guarded(main))
