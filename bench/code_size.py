#!/usr/bin/python3
"""Flash bytes of the runtime code a model pulls in, per Cortex-M core.

For each model: converts it, configures a cross build of the runtime with only
the model's ops (MOTE_OPS) at -Os (MinSizeRel), links the product-style
mote-link-check firmware (Model::Load with the verifier, Interpreter::Create,
Invoke; newlib-nano, --gc-sections) and sums what libmote contributes to .text,
.rodata and .data in its linker map. Two builds per model:

  full   every activation type's kernels and kernel path, diagnostics with
         their messages
  lean   MOTE_TYPES = the model's activation types, MOTE_KERNEL_PATHS = the DSP
         kernel paths it takes (`modelc inspect --json`: "kernel_paths"; all of
         them on the M55, whose Helium kernels fall back to any),
         MOTE_DIAGNOSTIC_MESSAGES=OFF and MOTE_DIAGNOSTIC_VALUES=OFF (a
         failure reports its status and op/tensor index only)

  bench/code_size.py [--cpus cortex-m4,cortex-m55] [--models kws] [--top 10] [--optimize size]

--optimize size configures MOTE_OPTIMIZE=size (runtime/CMakeLists.txt: the DSP
FullyConnected and pointwise conv only, the reference kernels for the rest).
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MLPERF = os.path.join(REPO, "..", "shared", "models", "mlperf-tiny")
MODELS = [
    ("kws", os.path.join(MLPERF, "keyword_spotting/kws_ref_model.tflite")),
    ("vww", os.path.join(MLPERF, "visual_wake_words/vww_96_int8.tflite")),
    ("ic", os.path.join(MLPERF, "image_classification/pretrainedResnet_quant.tflite")),
    ("ad", os.path.join(MLPERF, "anomaly_detection/ad01_int8.tflite")),
]
BOARDS = {"cortex-m0": "microbit", "cortex-m3": "mps2-an385", "cortex-m4": "mps2-an386",
          "cortex-m7": "mps2-an500", "cortex-m33": "mps2-an505", "cortex-m55": "mps3-an547"}
FLASH_SECTIONS = (".text", ".rodata", ".data", ".init_array")


def run(cmd):
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), r.stdout[-2000:], r.stderr[-2000:]))
    return r.stdout


def libmote_bytes(map_path):
    """(total, Counter per object, Counter per section) of libmote.a's flash input sections."""
    lines = open(map_path).read().split("\n")
    start = next(i for i, l in enumerate(lines) if l.startswith("Linker script and memory map"))
    per_object, per_section = collections.Counter(), collections.Counter()
    pending = None  # a long section name is printed alone, its address and size on the next line
    for line in lines[start:]:
        m = re.match(r"^ (\.\S+)\s*$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^ (\.\S+)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)$", line)
        name = (m.group(1) or pending) if m else None
        pending = None
        if not name or not name.startswith(FLASH_SECTIONS) or "libmote.a(" not in m.group(3):
            continue
        size = int(m.group(2), 16)
        per_object[m.group(3).split("(")[-1].rstrip(")").replace(".obj", "")] += size
        per_section[name] += size
    return sum(per_object.values()), per_object, per_section


def model_needs(modelc, source, tmp):
    mote = os.path.join(tmp, "model.mote")
    run([modelc, "convert", source, "-o", mote])
    info = json.loads(run([modelc, "inspect", mote, "--json"]))
    ops = sorted({o["op"] for o in info["operators"]})
    types = sorted({o.get("input_type", "").lower() for o in info["operators"]} & {"int8", "int16", "float32"})
    return ops, types or ["int8"], info["kernel_paths"]


def build_size(build_dir, cpu, ops, types, paths, messages, optimize="speed"):
    run(["cmake", "-S", REPO, "-B", build_dir, "-DCMAKE_TOOLCHAIN_FILE=" + os.path.join(REPO, "toolchains", "arm-none-eabi.cmake"),
         "-DMOTE_CPU=" + cpu, "-DMOTE_BOARD=" + BOARDS[cpu], "-DCMAKE_BUILD_TYPE=MinSizeRel",
         "-DMOTE_OPS=" + ";".join(ops), "-DMOTE_TYPES=" + ";".join(types),
         "-DMOTE_KERNEL_PATHS=" + ";".join(paths),
         "-DMOTE_DIAGNOSTIC_MESSAGES=" + ("ON" if messages else "OFF"),
         "-DMOTE_DIAGNOSTIC_VALUES=" + ("ON" if messages else "OFF"), "-DMOTE_OPTIMIZE=" + optimize])
    run(["cmake", "--build", build_dir, "-j2", "--target", "mote-link-check"])
    return libmote_bytes(os.path.join(build_dir, "bin", "mote-link-check.map"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(REPO, "build", "host"), help="host build with modelc")
    ap.add_argument("--cpus", default="cortex-m4")
    ap.add_argument("--models", default="", help="only models whose name matches this regular expression")
    ap.add_argument("--top", type=int, default=0, help="also list the N largest objects of the lean build")
    ap.add_argument("--optimize", default="speed", choices=["speed", "size"], help="MOTE_OPTIMIZE of the builds")
    args = ap.parse_args()
    modelc = os.path.join(args.build, "bin", "modelc")
    print("%-5s %-11s %-60s %10s %10s" % ("model", "cpu", "ops (types)", "full", "lean"))
    with tempfile.TemporaryDirectory() as tmp:
        for name, source in MODELS:
            if args.models and not re.search(args.models, name):
                continue
            ops, types, paths = model_needs(modelc, source, tmp)
            if args.optimize == "size":
                paths = ["all"]  # MOTE_OPTIMIZE=size chooses them
            for cpu in args.cpus.split(","):
                base = os.path.join(REPO, "build", "size", "%s-%s-%s" % (cpu, name, args.optimize))
                full, _, _ = build_size(base + "-full", cpu, ops, ["all"], ["all"], True, args.optimize)
                # The M55's Helium kernels fall back to every DSP path (runtime/CMakeLists.txt).
                helium = cpu == "cortex-m55" and args.optimize == "speed"
                lean_paths = ["all"] if helium else paths or ["none"]
                lean, objects, _ = build_size(base + "-lean", cpu, ops, types, lean_paths, False,
                                              args.optimize)
                print("%-5s %-11s %-60s %10d %10d" % (name, cpu, "%s (%s)" % (",".join(ops), ",".join(types)), full, lean))
                for obj, size in objects.most_common(args.top):
                    print("        %8d  %s" % (size, obj))


if __name__ == "__main__":
    main()
