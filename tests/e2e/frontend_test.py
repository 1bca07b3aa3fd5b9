#!/usr/bin/env python3
"""modelc convert --frontend: the audio front-end's features against torchaudio.

For several parameter sets (n_fft, hop, n_mels, f_max, window, center, power,
norm, mel scale, log forms, layouts, per-feature normalization, 3-D and 4-D classifier inputs) a
classifier that is the identity (a Reshape) exposes the front-end's features.
On speech (espeak-ng, resampled to 16 kHz), harmonic chirps with formants and
noise, quantized to int16, the int16 model's features must be within >= 50 dB
SNR of torchaudio's float64 output; the float32 model within 1e-4 of it
(relative to the largest feature magnitude); int8 converts; every emulated
board gives the host's bytes. Prints the SNR per set.
"""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import Checker, guarded, parse_args, run, compare_raw  # noqa: E402

import onnx  # noqa: E402
import torch  # noqa: E402
import torchaudio  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402

SETS = [
    # The integrator's keyword-spotting front-end.
    ("logmel:sample_rate=16000,n_fft=512,win_length=480,hop_length=320,n_mels=40,f_min=20,"
     "f_max=7600,center=false,power=2,log=ln,log_offset=1e-6,mel_scale=htk,layout=mel_time", 3),
    ("mfcc:n_fft=512,hop_length=160,n_mels=40,n_mfcc=13,"
     "mean=" + ";".join("%g" % (-200 + 15 * k) for k in range(13)) + ","
     "std=" + ";".join("%g" % (40 + 7 * k) for k in range(13)), 3),
    ("logmel:n_fft=1024,hop_length=256,n_mels=64,window=hamming,log=db,top_db=80,f_max=6000,"
     "layout=time_mel,mean=-40,std=20", 3),
    ("logmel:n_fft=256,hop_length=128,n_mels=32,window=blackman,power=1,norm=slaney,"
     "mel_scale=slaney,log=db", 4),
    ("mfcc:n_fft=2048,win_length=1600,hop_length=400,n_mels=64,n_mfcc=20,log_mels=true,"
     "center=false,f_min=50", 4),
]
CLIP = 16000  # one second at 16 kHz: the sample count follows from T


def params(spec):
    kind, rest = spec.split(":", 1)
    return kind, dict(item.split("=") for item in rest.split(","))


def frames_for(kw, samples):
    n_fft = int(kw["n_fft"])
    hop = int(kw.get("hop_length", int(kw.get("win_length", n_fft)) // 2))
    center = kw.get("center", "true") == "true"
    padded = samples + (2 * (n_fft // 2) if center else 0)
    t = 1 + (padded - n_fft) // hop
    return t, (t - 1) * hop if center else n_fft + (t - 1) * hop


def identity_classifier(path, features, frames, layout, rank):
    shape = [1, features, frames] if layout == "mel_time" else [1, frames, features]
    if rank == 4:
        shape = [1] + shape
    x = helper.make_tensor_value_info("features", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, features * frames])
    s = helper.make_tensor("s", TensorProto.INT64, [2], [1, features * frames])
    g = helper.make_graph([helper.make_node("Reshape", ["features", "s"], ["y"])], "identity",
                          [x], [y], [s])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), path)


def espeak(scratch, text, voice, speed, pitch, samples):
    wav = os.path.join(scratch, "speech.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", wav, text],
                   check=True, capture_output=True)
    audio, rate = torchaudio.load(wav)
    audio = torchaudio.functional.resample(audio[0].double(), rate, 16000).numpy()
    out = np.zeros(samples)
    out[:min(samples, audio.size)] = audio[:samples]
    return 0.8 * out / max(1e-9, np.abs(out).max())


def chirp(samples, seed):
    r = np.random.default_rng(seed)
    t = np.arange(samples) / 16000.0
    f0 = 100 + r.uniform(40, 160) * t / t[-1]
    phase = 2 * np.pi * np.cumsum(f0) / 16000.0
    x = np.zeros(samples)
    for k in range(1, 60):
        gain = np.exp(-((k * f0 - 700) / 250) ** 2) + 0.5 * np.exp(-((k * f0 - 1900) / 400) ** 2)
        x += np.cos(k * phase) * gain / k
    return 0.5 * x / np.abs(x).max() + r.normal(0, 0.002, samples)


def signals(scratch, samples):
    r = np.random.default_rng(7)
    xs = [espeak(scratch, "seven", "en", 150, 50, samples),
          espeak(scratch, "turn the light off", "en-us+f3", 190, 70, samples),
          chirp(samples, 1), chirp(samples, 2),
          r.normal(0, 0.1, samples),
          np.cumsum(r.normal(0, 0.02, samples)) * 0.05]  # brown-ish noise
    return np.stack([np.clip(np.round(x * 32767), -32768, 32767) for x in xs]).astype(np.int16)


def torchaudio_features(spec, audio):
    kind, kw = params(spec)
    windows = {"hann": torch.hann_window, "hamming": torch.hamming_window,
               "blackman": torch.blackman_window}
    n_fft = int(kw["n_fft"])
    mel = dict(n_fft=n_fft, win_length=int(kw.get("win_length", n_fft)),
               hop_length=int(kw.get("hop_length", int(kw.get("win_length", n_fft)) // 2)),
               f_min=float(kw.get("f_min", 0)), f_max=float(kw["f_max"]) if "f_max" in kw else None,
               n_mels=int(kw.get("n_mels", 128)), power=float(kw.get("power", 2)),
               center=kw.get("center", "true") == "true",
               norm=None if kw.get("norm", "none") == "none" else kw["norm"],
               mel_scale=kw.get("mel_scale", "htk"), window_fn=windows[kw.get("window", "hann")])
    x = torch.tensor(audio / 32768.0, dtype=torch.float64)
    if kind == "mfcc":
        t = torchaudio.transforms.MFCC(sample_rate=16000, n_mfcc=int(kw.get("n_mfcc", 40)),
                                       log_mels=kw.get("log_mels", "false") == "true",
                                       melkwargs=mel).double()
        y = torch.stack([t(x[i]) for i in range(len(x))])
    else:
        spec_ = torchaudio.transforms.MelSpectrogram(sample_rate=16000, **mel).double()
        m = torch.stack([spec_(x[i]) for i in range(len(x))])
        if kw.get("log", "ln") == "db":
            top_db = float(kw["top_db"]) if "top_db" in kw else None
            db = torchaudio.transforms.AmplitudeToDB("power" if mel["power"] == 2 else "magnitude",
                                                     top_db)
            y = torch.stack([db(m[i]) for i in range(len(m))])
        else:
            y = torch.log(m + float(kw.get("log_offset", 1e-6)))
    features = y.shape[-2]  # [N, features, time]
    mean = np.array([float(v) for v in kw.get("mean", "0").split(";")])
    std = np.array([float(v) for v in kw.get("std", "1").split(";")])
    mean = np.broadcast_to(mean, (features,))[:, None]
    std = np.broadcast_to(std, (features,))[:, None]
    y = (y - torch.tensor(mean)) / torch.tensor(std)  # per-feature normalization
    if kw.get("layout", "mel_time") == "time_mel":
        y = y.transpose(-1, -2)
    return y.reshape(len(audio), -1).numpy()


def main():
    a = parse_args(__doc__, "frontend_test")
    c = Checker()
    figures = []
    for index, (spec, rank) in enumerate(SETS):
        kind, kw = params(spec)
        features = int(kw.get("n_mfcc", 40)) if kind == "mfcc" else int(kw.get("n_mels", 128))
        frames, samples = frames_for(kw, CLIP)
        work = os.path.join(a.scratch, "set%d" % index)
        os.makedirs(work)
        onnx_path = os.path.join(work, "identity.onnx")
        identity_classifier(onnx_path, features, frames, kw.get("layout", "mel_time"), rank)
        audio = signals(work, samples)
        calib = os.path.join(work, "calib.npy")
        np.save(calib, audio)  # int16 calibration: scaled by 2^-15
        x = os.path.join(work, "x.npy")
        np.save(x, (audio / 32768.0).astype(np.float32))
        ref = torchaudio_features(spec, audio)
        for precision in ("int16", "float32", "int8"):
            name = "set%d %s" % (index, precision)
            mote = os.path.join(work, precision + ".mote")
            conv = run([a.modelc, "convert", onnx_path, "-o", mote, "--precision", precision,
                        "--frontend", spec, "--calibration", calib])
            if not c.ok(name + " converts", conv.rc == 0, conv.describe()):
                continue
            y_path = os.path.join(work, precision + ".npy")
            raw = os.path.join(work, precision + "_raw.npy")
            r = run([a.sim, "run", mote, "--input", x, "--output", y_path])
            r2 = run([a.sim, "run", mote, "--input", x, "--output", raw, "--raw"])
            if not c.ok(name + " runs", r.rc == 0 and r2.rc == 0, r.describe() + r2.describe()):
                continue
            y = np.load(y_path).reshape(len(audio), -1)
            err = y - ref
            snr = 10 * np.log10(np.sum(ref ** 2) / max(1e-30, np.sum(err ** 2)))
            rel = np.abs(err).max() / np.abs(ref).max()
            figures.append("%s %-8s SNR %6.1f dB  max |err| / max |ref| %.2e" % (
                "set%d" % index, precision, snr, rel))
            if precision == "int16":
                c.ok(name + " SNR >= 50 dB", snr >= 50.0, "%.1f dB" % snr)
            elif precision == "float32":
                c.ok(name + " within 1e-4", rel <= 1e-4, "%.2e" % rel)
            for target in a.qemu_targets:
                if target != "cortex-m4":
                    continue  # one emulated board per set keeps the suite fast
                out = os.path.join(work, precision + "_" + target + ".npy")
                q = run([a.sim, "run", mote, "--input", x, "--output", out, "--raw", "--target",
                         target], timeout=120)
                if c.ok("%s %s runs" % (name, target), q.rc == 0, q.describe()):
                    c.run("%s %s == host bytes" % (name, target), compare_raw, raw, out)
    print("\n".join("  " + f for f in figures))
    print("  sets: " + "; ".join("set%d %s" % (i, s) for i, (s, _) in enumerate(SETS)))
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
