#!/usr/bin/env python3
"""The runtime as an installed package, as a firmware engineer uses it.

Runs the README's firmware quick start (the ```sh block after the marker
`<!-- firmware quick start, run by tests/e2e/cmake_package_test.py -->`) as
written, in a mirror of the repository whose build/host/bin holds the modelc
under test and whose $HOME is the work folder: it builds the runtime for the
Cortex-M4 with only the example's ops, installs it, and builds
examples/firmware_cmake with find_package(mote) + mote_add_model. Then:

- the installed package holds what it promises (config, version, targets, pc,
  toolchain, headers with op_config.h and build_abi.h, the board);
- the README's CMakeLists.txt block is examples/firmware_cmake/CMakeLists.txt;
- the firmware runs under QEMU (mps2-an386): its output bytes for the eight
  digits it embeds (checked equal to models/digits_mlp/test_x.npy[:8]) are the
  bytes mote-sim computes on the host from the .mote mote_add_model made, which
  is byte for byte what `modelc convert` gives with the same options;
- mote_add_model regenerates when the model or the calibration changes and
  only then, and a budget modelc refuses fails the build with its message;
- code compiled for another CPU or float ABI stops at the mote headers with a
  message naming both, and find_package in a host project refuses the package;
- pkg-config: a C program built with `pkg-config --cflags --libs mote` links
  for the M4, and against the host build's package runs and prints the
  bytes mote-sim computes.
"""
import os
import re
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as e2e  # noqa: E402

MARKER = "<!-- firmware quick start, run by tests/e2e/cmake_package_test.py -->"
SAMPLES = 8


def shell(cmd, cwd, env, timeout=900):
    p = subprocess.run(["bash", "-e", "-c", cmd], cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace")


def mirror(repo, bin_dir, dest):
    """A checkout whose build/host/bin is bin_dir: every top-level entry linked but build/."""
    os.makedirs(os.path.join(dest, "build", "host", "bin"))
    for entry in os.listdir(repo):
        if entry not in ("build", ".git"):
            os.symlink(os.path.join(repo, entry), os.path.join(dest, entry))
    for tool in ("modelc", "mote-sim"):
        os.symlink(os.path.join(bin_dir, tool), os.path.join(dest, "build", "host", "bin", tool))


def qemu_digits(elf):
    r = e2e.run(["qemu-system-arm", "-M", "mps2-an386", "-cpu", "cortex-m4", "-nographic",
                 "-monitor", "none", "-serial", "none", "-semihosting-config",
                 "enable=on,target=native", "-kernel", elf])
    lines = re.findall(r"^digit (\d+): class (\d+) \(label (\d+)\) output((?: [0-9a-f]{2})+)$", r.out,
                       re.M)
    return r, [(int(d), int(c), int(l), bytes.fromhex(o)) for d, c, l, o in lines]


def main():
    a = e2e.parse_args(__doc__, "cmake_package_test")
    c = e2e.Checker()
    if "cortex-m4" not in a.qemu_targets:
        c.skip("cmake_package", "needs the cortex-m4 target (--targets), i.e. arm-none-eabi-gcc")
        return c.finish()
    src = os.path.join(a.scratch, "src")
    mirror(a.repo, a.bin, src)
    home = os.path.join(a.scratch, "home")
    os.makedirs(home)
    env = dict(os.environ, HOME=home)
    prefix = os.path.join(home, "mote-m4")
    firmware = os.path.join(src, "build", "firmware")
    elf = os.path.join(firmware, "digits.elf")
    mote_file = os.path.join(firmware, "mote_models", "digits.mote")
    models = os.path.join(a.repo, "models", "digits_mlp")

    blocks = e2e.readme_blocks(os.path.join(a.repo, "README.md"), MARKER)
    rc, log = shell(blocks["sh"][0], src, env)
    print("# README quick start:\n" + "\n".join("#   " + l for l in log.splitlines()[-12:]))
    if not c.ok("readme_quick_start_runs", rc == 0, "exit %d:\n%s" % (rc, log[-3000:])):
        return c.finish()

    def cmake_block_is_example():
        example = open(os.path.join(a.repo, "examples", "firmware_cmake", "CMakeLists.txt")).read()
        if blocks["cmake"][0].strip() not in example:
            return "README's ```cmake block is not part of examples/firmware_cmake/CMakeLists.txt"
    c.run("readme_cmake_block_is_the_example", cmake_block_is_example)

    def cpp_block_is_the_example():
        def code(text):
            return [l.split("//")[0].strip() for l in text.splitlines() if l.split("//")[0].strip()]
        example = set(code(open(os.path.join(a.repo, "examples", "firmware_cmake", "main.cc")).read()))
        missing = [l for l in code(blocks["cpp"][0]) if l not in example]
        if missing:
            return "README's ```cpp lines not in examples/firmware_cmake/main.cc: %s" % missing
    c.run("readme_cpp_lines_are_the_example", cpp_block_is_the_example)

    def package_layout():
        want = ["lib/libmote.a", "lib/cmake/mote/moteConfig.cmake", "lib/cmake/mote/moteConfigVersion.cmake",
                "lib/cmake/mote/mote-targets.cmake", "lib/cmake/mote/MoteAddModel.cmake",
                "lib/pkgconfig/mote.pc", "share/mote/toolchain.cmake", "share/mote/arm-none-eabi.cmake",
                "share/mote/board/memory.ld", "share/mote/board/cortex_m_sections.ld",
                "include/mote/interpreter.h", "include/mote/mote_c.h", "include/mote/op_config.h",
                "include/mote/build_abi.h", "include/mote/schema/mote_generated.h",
                "include/mote/third_party/flatbuffers/flatbuffers.h"]
        missing = [w for w in want if not os.path.isfile(os.path.join(prefix, w))]
        if missing:
            return "missing in the prefix: %s" % missing
        config = open(os.path.join(prefix, "include/mote/op_config.h")).read()
        if "MOTE_OP_ENABLED_FullyConnected 1" not in config or "MOTE_OP_ENABLED_Conv2D 0" not in config:
            return "op_config.h does not hold the README's MOTE_OPS"
        if '"cortex-m4"' not in open(os.path.join(prefix, "include/mote/build_abi.h")).read():
            return "build_abi.h does not name cortex-m4"
    c.run("package_layout", package_layout)

    # The firmware on the emulated M4 against the host runtime on the same inputs.
    def firmware_equals_host():
        embedded = open(os.path.join(a.repo, "examples", "firmware_cmake", "main.cc")).read()
        pixels = embedded.split("kPixels[kDigits][64] = {", 1)[1].split("};", 1)[0]
        pixels = re.sub(r"//[^\n]*", "", pixels)  # the labels' comments
        pixels = np.array([int(v) for v in re.findall(r"\d+", pixels)], dtype=np.float32)
        x = np.load(os.path.join(models, "test_x.npy"))[:SAMPLES]
        if pixels.size != x.size or not np.array_equal(pixels.reshape(x.shape) / 16.0, x):
            return "main.cc's kPixels are not test_x.npy[:%d] * 16" % SAMPLES
        r, digits = qemu_digits(elf)
        if r.rc != 0 or len(digits) != SAMPLES:
            return "QEMU: %s\n%s" % (r.describe(), r.out[-1000:])
        np.save(os.path.join(a.scratch, "x8.npy"), x)
        host = os.path.join(a.scratch, "host8.npy")
        h = e2e.run([a.sim, "run", mote_file, "--input", os.path.join(a.scratch, "x8.npy"),
                     "--output", host, "--raw"])
        if h.rc != 0:
            return "mote-sim: " + h.describe()
        want = np.load(host)
        labels = np.load(os.path.join(models, "test_y.npy"))[:SAMPLES]
        for (d, cls, label, out), row in zip(digits, want):
            if out != row.tobytes():
                return "digit %d: M4 output %s, host %s" % (d, out.hex(), row.tobytes().hex())
            if cls != int(np.argmax(row)) or label != int(labels[d]):
                return "digit %d: class %d label %d, host argmax %d label %d" % (
                    d, cls, label, int(np.argmax(row)), labels[d])
        print("# M4 under QEMU == host on %d digits; %s" % (SAMPLES, r.out.strip().splitlines()[-1]))
    c.run("firmware_on_m4_equals_host", firmware_equals_host)

    def same_as_modelc():
        direct = os.path.join(a.scratch, "direct.mote")
        r = e2e.run([a.modelc, "convert", os.path.join(models, "digits_mlp.onnx"), "-o", direct,
                     "--calibration", os.path.join(models, "calib.npy"), "--precision", "int8",
                     "--cores", "cortex-m4", "--name", "digits"])
        if r.rc != 0:
            return r.describe()
        if open(direct, "rb").read() != open(mote_file, "rb").read():
            return "mote_add_model's digits.mote differs from modelc convert's"
        header = open(os.path.join(firmware, "mote_models", "digits_model.h")).read()
        report = e2e.load_json(os.path.join(firmware, "mote_models", "digits.json"))
        arena = re.search(r"#define MOTE_DIGITS_ARENA_SIZE (\d+)u", header)
        if not arena or int(arena.group(1)) != report["arena_bytes"]:
            return "MOTE_DIGITS_ARENA_SIZE %s, report %s" % (arena and arena.group(1), report.get("arena_bytes"))
        if report.get("planned_cores") != ["cortex-m4"]:
            return "planned for %s, not the package's cortex-m4" % report.get("planned_cores")
    c.run("mote_add_model_equals_modelc", same_as_modelc)

    def build(*args):
        return shell("cmake --build build/firmware " + " ".join(args), src, env)

    def regenerates():
        copy = os.path.join(a.scratch, "model_copy")
        os.makedirs(copy)
        for f in ("digits_mlp.onnx", "calib.npy"):
            shutil.copy(os.path.join(models, f), copy)
        rc, log = shell("cmake build/firmware -DDIGITS_MODEL_DIR=%s" % copy, src, env)
        if rc != 0:
            return "reconfigure: " + log[-1000:]
        rc, log = build()
        if rc != 0 or "modelc: " not in log:
            return "a new model path did not run modelc (exit %d): %s" % (rc, log[-1000:])
        before = open(mote_file, "rb").read()
        rc, log = build()
        if rc != 0 or "modelc: " in log:
            return "nothing changed, yet modelc ran (exit %d): %s" % (rc, log[-1000:])
        calib = np.load(os.path.join(copy, "calib.npy"))
        np.save(os.path.join(copy, "calib.npy"), calib[: len(calib) // 4])
        rc, log = build()
        if rc != 0 or "modelc: " not in log or "Linking" not in log:
            return "a new calibration did not run modelc and relink (exit %d): %s" % (rc, log[-1000:])
        if open(mote_file, "rb").read() == before:
            return "a quarter of the calibration rows gave the same .mote"
        os.utime(os.path.join(copy, "digits_mlp.onnx"))
        rc, log = build()
        if rc != 0 or "modelc: " not in log:
            return "a touched model did not run modelc (exit %d): %s" % (rc, log[-1000:])
        r, digits = qemu_digits(elf)
        if r.rc != 0 or len(digits) != SAMPLES:
            return "the rebuilt firmware: %s" % r.describe()
    c.run("mote_add_model_regenerates", regenerates)

    def budget_fails_build():
        rc, log = shell("cmake build/firmware -DDIGITS_MAX_ARENA=64 && cmake --build build/firmware", src, env)
        ok = rc != 0 and re.search(r"modelc: error: arena is \d+ bytes, over the budget of 64", log)
        shell("cmake build/firmware -DDIGITS_MAX_ARENA=4096", src, env)
        if not ok:
            return "expected modelc's budget message and a failed build (exit %d): %s" % (rc, log[-1500:])
    c.run("budget_fails_build_with_modelc_message", budget_fails_build)

    # Another CPU or ABI: stopped at the first #include of a mote header.
    def abi_mismatch():
        tu = os.path.join(a.scratch, "abi.cc")
        with open(tu, "w") as f:
            f.write('#include "mote/interpreter.h"\nint f() { return 0; }\n')
        for compiler, flags, why in (
                ("arm-none-eabi-g++", ["-mcpu=cortex-m0", "-mthumb"], "__ARM_ARCH should be 7"),
                ("arm-none-eabi-g++", ["-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=softfp",
                                       "-mfpu=fpv4-sp-d16"], "__ARM_PCS_VFP should be 1"),
                ("g++", [], "__ARM_ARCH should be 7")):
            r = e2e.run([compiler, "-std=c++20", "-c", tu, "-o", tu + ".o", "-I" + prefix + "/include"]
                        + flags)
            if r.rc == 0 or "libmote was built for cortex-m4" not in r.err or why not in r.err:
                return "%s %s: rc %s, %s" % (compiler, " ".join(flags), r.rc, r.err[-600:])
        r = e2e.run(["arm-none-eabi-g++", "-std=c++20", "-c", tu, "-o", tu + ".o", "-I" + prefix + "/include",
                     "-march=armv7e-m+fp", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16"])
        if r.rc != 0:
            return "the M4's ABI spelled with -march was refused: " + r.err[-600:]
        rc, log = shell("cmake -S examples/firmware_cmake -B build/firmware-host -DCMAKE_PREFIX_PATH=%s"
                        % prefix, src, env, timeout=120)
        if rc == 0 or "is the runtime built for cortex-m4" not in log or "--toolchain" not in log:
            return "find_package(mote) for the host: exit %d: %s" % (rc, log[-1000:])
    c.run("other_cpu_or_abi_refused", abi_mismatch)

    # pkg-config: the M4 package links a C program; the host build's package runs it.
    def pkg_config():
        program = os.path.join(a.repo, "tests", "e2e", "cmake_package_classify.c")
        # The README's commands, on app.c = this program.
        m4 = os.path.join(a.scratch, "pkg-config-m4")
        os.makedirs(m4)
        shutil.copy(program, os.path.join(m4, "app.c"))
        rc, log = shell(blocks["sh"][1], m4, env)
        if rc != 0 or not os.path.isfile(os.path.join(m4, "app.elf")):
            return "M4, the README's pkg-config commands: exit %d\n%s" % (rc, log[-1500:])
        host_prefix = os.path.join(a.scratch, "host-prefix")
        rc, log = shell("cmake --install %s --component runtime --prefix %s"
                        % (os.path.dirname(a.bin), host_prefix), a.scratch, env)
        if rc != 0:
            return "host install: " + log[-1000:]
        pc_env = dict(env, PKG_CONFIG_PATH=os.path.join(host_prefix, "lib", "pkgconfig"))
        cmd = "gcc $(pkg-config --cflags mote) -std=c11 %s -o classify $(pkg-config --libs mote)" % program
        rc, log = shell(cmd, a.scratch, pc_env)
        if rc != 0:
            return "host: %s\n%s" % (cmd, log[-1500:])
        x = np.load(os.path.join(models, "test_x.npy"))[:SAMPLES]
        x.tofile(os.path.join(a.scratch, "x8.f32"))
        r = e2e.run([os.path.join(a.scratch, "classify"), mote_file, os.path.join(a.scratch, "x8.f32"),
                     str(SAMPLES)])
        rows = re.findall(r"^row \d+:((?: [0-9a-f]{8})+)$", r.out, re.M)
        if r.rc != 0 or len(rows) != SAMPLES:
            return "classify: " + r.describe() + r.out[-500:]
        np.save(os.path.join(a.scratch, "x8.npy"), x)
        host = os.path.join(a.scratch, "host8_f32.npy")
        h = e2e.run([a.sim, "run", mote_file, "--input", os.path.join(a.scratch, "x8.npy"), "--output", host])
        if h.rc != 0:
            return "mote-sim: " + h.describe()
        want = np.load(host).astype(np.float32).view(np.uint32)
        for i, (row, w) in enumerate(zip(rows, want)):
            got = [int(v, 16) for v in row.split()]
            if got != w.tolist():
                return "row %d: classify %s, mote-sim %s" % (i, got, w.tolist())
    c.run("pkg_config_builds_c_program", pkg_config)
    return c.finish()


if __name__ == "__main__":
    sys.exit(e2e.guarded(main))
