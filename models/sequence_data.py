"""Synthetic multichannel sensor sequences for the recurrent families
(models/gru_classifier, lstm_classifier, bigru_classifier).

Each sample is STEPS time steps of FEATURES channels: slow drift, noise and
one of five events whose class depends on *when* and *in what order* things
happen, so that a classifier has to carry state along the sequence:
  0 nothing but drift and noise
  1 a pulse on channel 0 followed later by a pulse on channel 1
  2 the same two pulses in the opposite order
  3 a rising chirp on channel 2
  4 a falling chirp on channel 2
Amplitudes, positions, widths and frequencies are random.
"""
import numpy as np

STEPS = 32
FEATURES = 4


def _pulse(t, center, width):
    return np.exp(-0.5 * ((t - center) / width) ** 2)


def sample(rng, label):
    t = np.arange(STEPS, dtype=np.float64)
    x = np.zeros((STEPS, FEATURES))
    x += rng.normal(scale=0.3, size=FEATURES) + np.outer(t / STEPS, rng.normal(scale=0.3, size=FEATURES))
    if label in (1, 2):
        first = rng.uniform(4, STEPS / 2 - 4)
        second = rng.uniform(first + 8, STEPS - 4)
        a, b = (0, 1) if label == 1 else (1, 0)
        x[:, a] += rng.uniform(0.8, 1.5) * _pulse(t, first, rng.uniform(1.5, 3.0))
        x[:, b] += rng.uniform(0.8, 1.5) * _pulse(t, second, rng.uniform(1.5, 3.0))
    elif label in (3, 4):
        f0, f1 = rng.uniform(0.02, 0.06), rng.uniform(0.15, 0.25)
        if label == 4:
            f0, f1 = f1, f0
        phase = 2 * np.pi * np.cumsum(np.linspace(f0, f1, STEPS))
        x[:, 2] += rng.uniform(0.6, 1.2) * np.sin(phase + rng.uniform(0, 2 * np.pi))
    x[:, 3] += 0.5 * np.sin(2 * np.pi * rng.uniform(0.01, 0.03) * t + rng.uniform(0, 2 * np.pi))
    return (x + rng.normal(scale=0.08, size=x.shape)).astype(np.float32)


def dataset(rng, n):
    """x [n, STEPS, FEATURES] float32 (batch-first), y [n] int64."""
    y = rng.integers(0, 5, size=n)
    return np.stack([sample(rng, int(k)) for k in y]), y.astype(np.int64)
