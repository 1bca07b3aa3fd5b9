#!/usr/bin/env -S /usr/bin/python3
"""mote's one bench command: per bundled model and target, MACs, instructions
per inference, MACs per instruction, arena bytes (planned / lower bound) and
flash bytes (runtime code as linked, and the model file).

Instruction counts are deterministic: callgrind on the host (only
Interpreter::Invoke is counted) and the QEMU TCG plugin on Cortex-M (only
between mote_bench_begin/end around Invoke). Wall-clock time is not measured.

usage: bench/run_bench.py [--build build/host] [--targets host,cortex-m4] [--models REGEX] [--markdown]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MLPERF = os.path.join(REPO, "..", "shared", "models", "mlperf-tiny")


def mlperf_inputs(name):
    """Inputs for the MLPerf Tiny models: the shipped samples, or synthetic images."""
    if name == "kws":
        q = np.fromfile(os.path.join(MLPERF, "keyword_spotting/samples/kws_input_data_0_int8.bin"), np.int8)
        return q.reshape(1, 49, 10, 1)
    if name == "ad":
        spec = np.fromfile(os.path.join(MLPERF, "anomaly_detection/samples/normal_id_01_00000000_hist_librosa.bin"),
                           "<f4").reshape(-1, 128)
        return np.stack([spec[i:i + 5].reshape(640) for i in range(4)]).astype(np.float32)
    if name == "kws_audio":  # two held-back clips, int16 (models/kws_audio/dataset.py)
        return kws_audio_clips(held_back=True)
    rng = np.random.default_rng(0)
    if name == "qdq_cnn":  # models/qdq_cnn: 16 x 16 RGB textures, roughly unit variance
        return rng.normal(size=(2, 3, 16, 16)).astype(np.float32)
    shape, scale = ((32, 32, 3), 255.0) if name == "ic" else ((96, 96, 3), 1.0)
    return (rng.uniform(0, 1, (2,) + shape) * scale).astype(np.float32)


def kws_audio_clips(held_back):
    """Keyword clips synthesized with espeak-ng: 2 held back, or 24 calibration clips."""
    sys.path.insert(0, os.path.join(REPO, "models", "kws_audio"))
    import dataset
    clips, _ = dataset.held_back_clips(per_class=1) if held_back else dataset.training_clips(per_class=2, seed=3)
    return clips[:2] if held_back else clips


def kws_audio_frontend():
    sys.path.insert(0, os.path.join(REPO, "models", "kws_audio"))
    import dataset
    return dataset.MODELC_FRONTEND


# Ops of the audio front-end (modelc --frontend): their instructions are also reported apart.
FRONTEND_OPS = {"Spectrogram", "Dct"}

# (name, source model, calibration or None, inputs (path or array), precisions)
MODELS = [
    ("digits_mlp", "models/digits_mlp/digits_mlp.onnx", "models/digits_mlp/calib.npy",
     "models/digits_mlp/test_x.npy", ["int8", "int16", "float32"]),
    ("zoo/tanh_softmax", "models/mlp_zoo/tanh_softmax/model.onnx", "models/mlp_zoo/tanh_softmax/calib.npy",
     "models/mlp_zoo/tanh_softmax/x.npy", ["int8", "int16", "float32"]),
    ("zoo/residual_add", "models/mlp_zoo/residual_add/model.onnx", "models/mlp_zoo/residual_add/calib.npy",
     "models/mlp_zoo/residual_add/x.npy", ["int8", "int16", "float32"]),
    ("digits_cnn", "models/digits_cnn/digits_cnn.onnx", "models/digits_cnn/calib.npy",
     "models/digits_cnn/test_x.npy", ["int8", "int16", "float32"]),
    ("shufflenet_v2_tiny", "models/shufflenet_v2_tiny/shufflenet_v2_tiny.onnx", "models/shufflenet_v2_tiny/calib.npy",
     "models/shufflenet_v2_tiny/test_x.npy", ["int8", "int16", "float32"]),
    ("conv_autoencoder", "models/conv_autoencoder/conv_autoencoder.onnx", "models/conv_autoencoder/calib.npy",
     "models/conv_autoencoder/test_x.npy", ["int8", "int16", "float32"]),
    ("onnx-ml/iris_random_forest", "../shared/testdata/onnx-ml/iris_random_forest/model.onnx",
     "../shared/testdata/onnx-ml/iris_random_forest/X_calib.npy", "../shared/testdata/onnx-ml/iris_random_forest/X_test.npy",
     ["int8", "float32"]),
    ("onnx-ml/breast_cancer_gbm", "../shared/testdata/onnx-ml/breast_cancer_gbm/model.onnx",
     "../shared/testdata/onnx-ml/breast_cancer_gbm/X_calib.npy", "../shared/testdata/onnx-ml/breast_cancer_gbm/X_test.npy",
     ["int8", "float32"]),
    ("onnx-ml/wine_scaled_logistic", "../shared/testdata/onnx-ml/wine_scaled_logistic/model.onnx",
     "../shared/testdata/onnx-ml/wine_scaled_logistic/X_calib.npy",
     "../shared/testdata/onnx-ml/wine_scaled_logistic/X_test.npy", ["int8", "float32"]),
    # Trained here from scikit-learn's datasets (fixed seeds), exported with tools/python/mote_sklearn.
    ("sklearn/iris_gaussian_nb", "sklearn:iris:gaussian_nb", None, None, ["int8", "float32"]),
    ("sklearn/iris_svc_rbf", "sklearn:iris:svc_rbf", None, None, ["int8", "float32"]),
    ("sklearn/breast_cancer_svc_rbf", "sklearn:breast_cancer:svc_rbf", None, None, ["int8", "float32"]),
    ("mlperf/kws (int8 tflite)", os.path.join(MLPERF, "keyword_spotting/kws_ref_model.tflite"), None, "kws", ["int8"]),
    ("mlperf/vww (int8 tflite)", os.path.join(MLPERF, "visual_wake_words/vww_96_int8.tflite"), None, "vww", ["int8"]),
    ("mlperf/ic (int8 tflite)", os.path.join(MLPERF, "image_classification/pretrainedResnet_quant.tflite"), None,
     "ic", ["int8"]),
    ("mlperf/ad (int8 tflite)", os.path.join(MLPERF, "anomaly_detection/ad01_int8.tflite"), None, "ad", ["int8"]),
    ("gru_classifier", "models/gru_classifier/gru_classifier.onnx", "models/gru_classifier/calib.npy",
     "models/gru_classifier/test_x.npy", ["int8", "int16", "float32"]),
    ("lstm_classifier", "models/lstm_classifier/lstm_classifier.onnx", "models/lstm_classifier/calib.npy",
     "models/lstm_classifier/test_x.npy", ["int8", "int16", "float32"]),
    ("masked_attention", "models/masked_attention/masked_attention.onnx", "models/masked_attention/calib.npy",
     "models/masked_attention/test_x.npy", ["int8", "int16", "float32"]),
    # A transformer encoder layer: BatchMatMul (scores, weighted values), LayerNorm, Softmax.
    ("tiny_transformer", "models/tiny_transformer/tiny_transformer.onnx", "models/tiny_transformer/calib.npy",
     "models/tiny_transformer/test_x.npy", ["int8", "int16", "float32"]),
    ("sensor_cnn1d", "models/sensor_cnn1d/sensor_cnn1d.onnx", "models/sensor_cnn1d/calib.npy",
     "models/sensor_cnn1d/test_x.npy", ["int8", "int16", "float32"]),
    # nn.Embedding lookup by int64 token ids (a Gather by run-time indices).
    ("text_embed", "models/text_embed/text_embed.onnx", "models/text_embed/calib.npy",
     "models/text_embed/test_x.npy", ["int8", "int16", "float32"]),
    # Streaming models (modelc --stream): one inference is one hop.
    ("sensor_cnn1d (stream, hop 16)", "models/sensor_cnn1d/sensor_cnn1d.onnx", "models/sensor_cnn1d/calib.npy",
     "models/sensor_cnn1d/test_x.npy", ["int8", "int16", "float32"],
     {"args": ["--stream", "input=x,axis=2,hop=16"], "hops": lambda x: stream_hops(x[:2], 2, 16)}),
    ("gru_classifier (stream, hop 1)", "models/gru_classifier/gru_classifier.onnx", "models/gru_classifier/calib.npy",
     "models/gru_classifier/test_x.npy", ["int8", "int16", "float32"],
     {"args": ["--stream", "input=x,axis=1,hop=1"], "hops": lambda x: stream_hops(x[:1], 1, 1)}),
    # Raw 16 kHz audio through the keyword model's front-end (--frontend), one 20 ms hop per
    # inference (--stream): one frame of front-end plus the classifier per hop.
    ("kws_audio (raw audio, stream, hop 320)", "models/kws_audio/kws_audio.onnx", "kws_audio", "kws_audio",
     ["int8", "int16", "float32"],
     {"args": ["--frontend", kws_audio_frontend(), "--stream", "input=audio,axis=1,hop=320"],
      "hops": lambda x: audio_hops(x[:1], 320)}),
    # Pre-quantized ONNX (QDQ): int8 from the parameters it carries, no calibration.
    ("qdq_cnn (QDQ onnx)", "models/qdq_cnn/qdq_cnn.onnx", None, "qdq_cnn", ["int8", "float32"]),
    # Raw 16 kHz audio in: the log-mel front-end (modelc --frontend) before the keyword DS-CNN.
    ("kws_audio (raw audio, 1 s)", "models/kws_audio/kws_audio.onnx", "kws_audio", "kws_audio",
     ["int8", "int16", "float32"], {"args": ["--frontend", kws_audio_frontend()], "hops": lambda x: x}),
]


def audio_hops(x, hop):
    """Clips [N, samples] one after another behind the zeros that make whole hops: [hops, 1, hop]."""
    lead = (hop - x.shape[1] % hop) % hop
    stream = np.concatenate([np.zeros(lead, x.dtype)] + list(x))
    return stream.reshape(-1, 1, hop)


def stream_hops(x, axis, hop):
    """Samples [N, ...] of a model input joined along `axis` (of one sample) into one stream, cut in hops."""
    stream = np.concatenate(list(x), axis=axis - 1)
    return np.stack(np.split(stream, stream.shape[axis - 1] // hop, axis=axis - 1))
SAMPLES = 16  # inferences per measurement (at most)

# TensorFlow Lite Micro (90b983c) + CMSIS-NN (4ab83cc) on the same emulated Cortex-M4 (mps2-an386, gcc
# 12.2 -O2, first Invoke on a fixed input, the same kind of TCG plugin): (instructions, arena bytes),
# as issue 10 states them. Printed beside mote's M4 int8 figures with the ratios mote / TFLM.
TFLM_CORTEX_M4 = {
    "mlperf/kws (int8 tflite)": (7697392, 22820),
    "mlperf/vww (int8 tflite)": (24101966, 100708),
    "mlperf/ic (int8 tflite)": (29860981, 54996),
    "mlperf/ad (int8 tflite)": (582976, 2580),
}


def sklearn_model(source, work):
    """Trains the model `source` names ("sklearn:<dataset>:<estimator>") and
    exports it: (onnx path, calibration path, test inputs path)."""
    sys.path.insert(0, os.path.join(REPO, "tools", "python"))
    import mote_sklearn
    from sklearn import datasets
    from sklearn.model_selection import train_test_split
    from sklearn.naive_bayes import GaussianNB
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    _, dataset, kind = source.split(":")
    data = getattr(datasets, "load_" + dataset)()
    x = data.data.astype(np.float32)
    xtr, xte, ytr, _ = train_test_split(x, data.target, test_size=0.3, random_state=0, stratify=data.target)
    est = {"gaussian_nb": lambda: GaussianNB(),
           "svc_rbf": lambda: make_pipeline(StandardScaler(), SVC(kernel="rbf"))}[kind]().fit(xtr, ytr)
    paths = [os.path.join(work, "%s_%s.%s" % (dataset, kind, ext)) for ext in ("onnx", "calib.npy", "x.npy")]
    mote_sklearn.save(est, x.shape[1], paths[0])
    np.save(paths[1], xtr)
    np.save(paths[2], xte)
    return paths


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def runtime_flash_bytes(build, cpu):
    """Bytes of flash (.text, .rodata, .data) that libmote contributes to the
    link-check firmware, from its linker map."""
    path = os.path.join(build, "firmware", cpu, "bin", "mote-link-check.map")
    if not os.path.exists(path):
        return None
    lines = open(path).read().split("Linker script and memory map", 1)[1].splitlines()
    total = 0
    pending = None
    for line in lines:
        m = re.match(r"^ (\.(?:text|rodata|data)\S*)\s*$", line)
        if m:
            pending = m.group(1)
            continue
        m = re.match(r"^ (\.(?:text|rodata|data)\S*)?\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+(\S+)", line)
        if m and (m.group(1) or pending) and "libmote.a(" in m.group(3):
            total += int(m.group(2), 16)
        pending = None
    return total


def output_args(bin_dir, model, work):
    """One --output per model output (classifiers have a label and probabilities)."""
    info = json.loads(run([os.path.join(bin_dir, "modelc"), "inspect", model, "--json"]).stdout)
    args = []
    for k in range(len(info["outputs"])):
        args += ["--output", os.path.join(work, "y%d.npy" % k)]
    return args


def callgrind_instructions(bin_dir, model, inputs, work):
    out_file = os.path.join(work, "callgrind.out")
    run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out_file}",
         "--toggle-collect=mote::Interpreter::Invoke()",
         os.path.join(bin_dir, "mote-sim"), "run", model, "--input", inputs] + output_args(bin_dir, model, work))
    for line in open(out_file):
        if line.startswith("summary:") or line.startswith("totals:"):
            return int(line.split()[1])
    raise RuntimeError("no callgrind summary")


def qemu_instructions(bin_dir, model, inputs, target, work):
    """Instructions for all inferences, or None if the model does not fit the board."""
    r = subprocess.run([os.path.join(bin_dir, "mote-sim"), "run", model, "--input", inputs, "--target", target,
                        "--profile"] + output_args(bin_dir, model, work), capture_output=True, text=True)
    if r.returncode != 0:
        if "is too large" in r.stderr or ("arena too small" in r.stderr and "runner's" in r.stderr):
            return None
        raise RuntimeError(r.stderr)
    m = re.search(r"(\d+) inferences, (\d+) instructions per inference", r.stdout)
    # Per-op lines: "index kind MACs instructions MACs/instr name"; the front-end's share.
    frontend = sum(int(f[3]) for f in (line.split() for line in r.stdout.splitlines())
                   if len(f) >= 4 and f[0].isdigit() and f[1] in FRONTEND_OPS)
    return int(m.group(1)) * int(m.group(2)), frontend


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build", "host"))
    ap.add_argument("--targets", default="host,cortex-m0,cortex-m3,cortex-m4,cortex-m7,cortex-m33,cortex-m55")
    ap.add_argument("--markdown", action="store_true")
    ap.add_argument("--models", help="only the models whose name matches this regular expression")
    args = ap.parse_args()
    bin_dir = os.path.join(args.build, "bin")
    built = os.path.join(args.build, "firmware")
    # Cortex-M boards (runner firmware) and Linux on Arm (linux-aarch64, linux-armhf: the
    # cross-built runner under qemu-user, the same instruction-count plugin).
    targets = [t for t in args.targets.split(",")
               if t == "host" or os.path.exists(os.path.join(built, t, "bin", "mote-runner.elf"))
               or os.path.exists(os.path.join(built, t, "bin", "mote-linux-runner"))]
    flash = {t: runtime_flash_bytes(args.build, t) for t in targets if t != "host"}
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for name, source, calib, inputs, precisions, *streaming in MODELS:
            streaming = streaming[0] if streaming else {"args": [], "hops": lambda x: x}
            if args.models and not re.search(args.models, name):
                continue
            if source.startswith("sklearn:"):
                source, calib, inputs = sklearn_model(source, work)
            if not os.path.exists(os.path.join(REPO, source)):
                print("skipping %s: %s not found" % (name, source), file=sys.stderr)
                continue
            x = (np.load(os.path.join(REPO, inputs)) if inputs.endswith(".npy") else mlperf_inputs(inputs))[:SAMPLES]
            x = streaming["hops"](x)
            xin = os.path.join(work, "x.npy")
            if calib == "kws_audio":
                calib = os.path.join(work, "kws_calib.npy")
                np.save(calib, kws_audio_clips(held_back=False))
            for precision in precisions:
                # int16 audio feeds int8/int16 models; float32 ones take it in [-1, 1].
                np.save(xin, x.astype(np.float32) / 32768 if x.dtype == np.int16 and precision == "float32" else x)
                model = os.path.join(work, "m.mote")
                report = os.path.join(work, "r.json")
                cmd = [os.path.join(bin_dir, "modelc"), "convert", os.path.join(REPO, source), "-o", model,
                       "--precision", precision, "--report", report] + streaming["args"]
                if calib:
                    cmd += ["--calibration", os.path.join(REPO, calib)]
                run(cmd)
                rep = json.load(open(report))
                for target in targets:
                    frontend = None
                    if target == "host":
                        insns = callgrind_instructions(bin_dir, model, xin, work)
                    else:
                        counted = qemu_instructions(bin_dir, model, xin, target, work)
                        if counted is None:
                            continue  # does not fit the board (e.g. the 16 KiB micro:bit)
                        insns, frontend = counted
                    per = insns / len(x)
                    rows.append({
                        "model": name, "precision": precision, "target": target, "macs": rep["total_macs"],
                        "instructions": round(per), "macs_per_instruction": rep["total_macs"] / per,
                        "arena": rep["arena_bytes"], "arena_lower_bound": rep["arena_lower_bound_bytes"],
                        "model_bytes": rep["file_bytes"],
                        "runtime_flash": flash.get(target), "frontend": frontend or None,
                    })
    header = ["model", "precision", "target", "MACs", "instr/inference", "MACs/instr", "arena (lower bound)",
              "model bytes", "runtime flash"]
    table = [[r["model"], r["precision"], r["target"], str(r["macs"]), str(r["instructions"]),
              f'{r["macs_per_instruction"]:.3f}', f'{r["arena"]} ({r["arena_lower_bound"]})', str(r["model_bytes"]),
              "-" if r["runtime_flash"] is None else str(r["runtime_flash"])] for r in rows]
    if any(r["frontend"] for r in rows):  # per inference: front-end / the rest (the classifier)
        header.append("front-end / classifier instr")
        for r, t in zip(rows, table):
            t.append("-" if not r["frontend"] else "%d / %d" % (r["frontend"], r["instructions"] - r["frontend"]))
    tflm = [r for r in rows if r["target"] == "cortex-m4" and r["model"] in TFLM_CORTEX_M4]
    if tflm:
        header += ["TFLM instr (mote/TFLM)", "TFLM arena (mote/TFLM)"]
        for r, t in zip(rows, table):
            ref = TFLM_CORTEX_M4.get(r["model"]) if r["target"] == "cortex-m4" else None
            t += ["-", "-"] if ref is None else [f'{ref[0]} ({r["instructions"] / ref[0]:.2f}x)',
                                                 f'{ref[1]} ({r["arena"] / ref[1]:.2f}x)']
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for t in table:
            print("| " + " | ".join(t) + " |")
    else:
        widths = [max([len(h)] + [len(t[i]) for t in table]) for i, h in enumerate(header)]
        print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
        for t in table:
            print("  ".join(c.ljust(w) for c, w in zip(t, widths)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
