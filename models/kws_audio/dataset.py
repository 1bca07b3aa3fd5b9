"""One-second keyword clips synthesized with Debian's espeak-ng, with noise from sox.

Shared by train.py (training and held-back clips) and the e2e test, which
regenerates the held-back clips at test time instead of storing audio in the
repository. Everything is seeded: the same espeak-ng and sox give the same
clips. Speakers are split: held-back clips use voice variants the training
clips never use, so the figures say how the model does on a voice it
has not heard.
"""
import functools
import subprocess

import numpy as np

SAMPLE_RATE = 16000
CLIP_SAMPLES = SAMPLE_RATE  # one second
KEYWORDS = ["yes", "no", "up", "down", "left", "right", "on", "off", "stop", "go"]
UNKNOWN_WORDS = ["bed", "bird", "cat", "dog", "house", "tree", "wow", "happy", "zero", "three",
                 "seven", "nine", "learn", "follow", "visual", "forward", "marvin", "sheila"]
CLASSES = KEYWORDS + ["_unknown_", "_silence_"]

VOICES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
          "en-029"]
TRAIN_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "f1", "f2", "f3", "croak", "klatt", "klatt3"]
HELD_BACK_VARIANTS = ["m6", "m7", "f4", "f5", "klatt2"]
NOISE_COLOURS = ["whitenoise", "pinknoise", "brownnoise"]


def speak(word, voice, variant, speed, pitch):
    """espeak-ng's 22,050 Hz int16 speech, resampled to 16 kHz, as float32 in [-1, 1]."""
    wav = subprocess.run(["espeak-ng", "-v", f"{voice}+{variant}", "-s", str(speed), "-p", str(pitch),
                          "--stdout", word], check=True, capture_output=True).stdout
    return _resample_with_sox(wav)


def _resample_with_sox(wav_bytes):
    # -D: no dither (sox dithers with random noise by default, so runs would differ).
    raw = subprocess.run(["sox", "-D", "-t", "wav", "-", "-t", "raw", "-e", "signed-integer", "-b", "16",
                          "-c", "1", "-r", str(SAMPLE_RATE), "-"], input=wav_bytes, check=True,
                         capture_output=True).stdout
    return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0


@functools.lru_cache(maxsize=None)
def noise_bank(colour, seconds=20):
    """sox's coloured noise (repeatable mode, so the same bytes every run), unit RMS."""
    raw = subprocess.run(["sox", "-R", "-n", "-t", "raw", "-e", "signed-integer", "-b", "16", "-c",
                          "1", "-r", str(SAMPLE_RATE), "-", "synth", str(seconds), colour, "vol",
                          "0.5"], check=True, capture_output=True).stdout
    noise = np.frombuffer(raw, dtype="<i2").astype(np.float64)
    return noise / np.sqrt(np.mean(noise ** 2))


def place(speech, rng):
    """The utterance at a random offset inside one second (trimmed if longer)."""
    voiced = np.flatnonzero(np.abs(speech) > 0.01)
    if len(voiced):
        speech = speech[voiced[0]:voiced[-1] + 1]
    speech = speech[:CLIP_SAMPLES]
    clip = np.zeros(CLIP_SAMPLES, np.float64)
    start = rng.integers(0, CLIP_SAMPLES - len(speech) + 1)
    clip[start:start + len(speech)] = speech
    return clip


def add_noise(clip, rng, snr_db):
    noise = noise_bank(NOISE_COLOURS[rng.integers(len(NOISE_COLOURS))])
    start = rng.integers(0, len(noise) - CLIP_SAMPLES)
    segment = noise[start:start + CLIP_SAMPLES]
    power = np.mean(clip ** 2)
    if power == 0:  # a silence clip: noise at a random level
        return segment * rng.uniform(0.002, 0.05)
    return clip + segment * np.sqrt(power / 10 ** (snr_db / 10))


def to_int16(clip, rng):
    """Scaled to a random peak level (quiet and loud talkers) and rounded to int16."""
    peak = np.max(np.abs(clip))
    if peak > 0:
        clip = clip * (rng.uniform(0.05, 0.9) / peak)
    return np.clip(np.round(clip * 32767), -32768, 32767).astype(np.int16)


def make_clips(per_class, seed, variants, speeds, snr_db):
    """per_class clips of every class: (int16 [N, 16000], int64 labels [N])."""
    rng = np.random.default_rng(seed)
    clips, labels = [], []
    for label, name in enumerate(CLASSES):
        for _ in range(per_class):
            if name == "_silence_":
                clip = add_noise(np.zeros(CLIP_SAMPLES), rng, 0.0)
            else:
                word = name if name in KEYWORDS else UNKNOWN_WORDS[rng.integers(len(UNKNOWN_WORDS))]
                speech = speak(word, VOICES[rng.integers(len(VOICES))],
                               variants[rng.integers(len(variants))], int(rng.integers(*speeds)),
                               int(rng.integers(20, 81)))
                clip = add_noise(place(speech, rng), rng, rng.uniform(*snr_db))
            clips.append(to_int16(clip, rng))
            labels.append(label)
    return np.stack(clips), np.array(labels, np.int64)


def training_clips(per_class=160, seed=1):
    return make_clips(per_class, seed, TRAIN_VARIANTS, (120, 200), (5.0, 30.0))


def held_back_clips(per_class=20, seed=2):
    """Voice variants the training clips never use."""
    return make_clips(per_class, seed, HELD_BACK_VARIANTS, (130, 211), (8.0, 30.0))


# The front-end the classifier is trained on (torchaudio), and the string that
# asks modelc to prepend the same front-end to the converted classifier.
FRONTEND = dict(sample_rate=SAMPLE_RATE, n_fft=512, win_length=480, hop_length=320, f_min=20.0,
                f_max=7600.0, n_mels=40, center=False, power=2.0, mel_scale="htk")
LOG_OFFSET = 1e-6
MODELC_FRONTEND = ("logmel:sample_rate=16000,n_fft=512,win_length=480,hop_length=320,f_min=20,"
                   "f_max=7600,n_mels=40,center=false,power=2,mel_scale=htk,log=ln,log_offset=1e-6,"
                   "samples=16000")


def features(clips):
    """log(mel power + 1e-6) of int16 clips: float32 [N, 1, n_mels, frames] (49 frames a second)."""
    import torch
    import torchaudio
    mel = torchaudio.transforms.MelSpectrogram(**FRONTEND)
    with torch.no_grad():
        x = torch.from_numpy(clips.astype(np.float32) / 32768.0)
        return torch.log(mel(x) + LOG_OFFSET).unsqueeze(1).numpy()


if __name__ == "__main__":
    import argparse
    parser = argparse.ArgumentParser(description="writes synthesized keyword clips as .npy")
    parser.add_argument("--held-back", action="store_true", help="voices training never used")
    parser.add_argument("--per-class", type=int, default=2)
    parser.add_argument("--clips", required=True, help="int16 [N, 16000] .npy to write")
    parser.add_argument("--labels", help="int64 [N] .npy to write")
    args = parser.parse_args()
    make = held_back_clips if args.held_back else training_clips
    x, y = make(per_class=args.per_class)
    np.save(args.clips, x)
    if args.labels:
        np.save(args.labels, y)
