#!/usr/bin/env -S /usr/bin/python3
"""Keyword spotting from raw audio (issue 13), end to end.

models/kws_audio holds a DS-CNN trained on torchaudio log-mel features of clips
synthesized with espeak-ng. This test regenerates the held-back clips (voice
variants the training never used, models/kws_audio/dataset.py) and computes
PyTorch's decisions on torchaudio's features. modelc prepends the same
front-end to the classifier (--frontend), so the .mote takes the int16 audio:
  - its decisions agree with PyTorch's (on torchaudio's features) on >= 99% of
    the clips in every precision (issue 13's bar), and its accuracy on the labels
    is printed beside PyTorch's (float32 models take the audio as float in
    [-1, 1], int8/int16 ones the int16 samples);
  - the raw outputs of the first clips are byte-identical on every QEMU target;
  - the README's raw-audio block runs as written (on the emulated M4) and
    gives the labels, with dataset.py's front-end string.
The streaming form (one hop of audio per Invoke) is tests/e2e/stream_test.py's.

    /usr/bin/python3 tests/e2e/kws_audio_test.py --bin build/host/bin --repo . --targets host,cortex-m4
"""
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2e_common import (Checker, board_too_small, compare_raw, guarded, parse_args,  # noqa: E402
                        readme_blocks, run)

MIN_AGREEMENT = {"float32": 99.0, "int16": 99.0, "int8": 99.0}
RAW_CLIPS = 3


def torch_decisions(folder, clips):
    import torch
    sys.path.insert(0, folder)
    import dataset
    from train import DsCnn
    model = DsCnn()
    model.load_state_dict(torch.load(os.path.join(folder, "classifier.pt")))
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(dataset.features(clips))).numpy()


README_MARKER = "<!-- kws_audio: tests/e2e/kws_audio_test.py runs this block as written -->"


def check_readme_block(a, c, frontend):
    """The README's ```sh block after README_MARKER, run in a folder whose models/ and
    build/host/bin are the repository's and the build's."""
    text = open(os.path.join(a.repo, "README.md")).read()
    if not c.ok("README has the kws_audio block", README_MARKER in text, README_MARKER):
        return
    block = readme_blocks(os.path.join(a.repo, "README.md"), README_MARKER)["sh"][0]
    c.ok("README's --frontend string is models/kws_audio/dataset.py's", "'%s'" % frontend in block,
         block)
    here = os.path.join(a.scratch, "readme")
    os.makedirs(os.path.join(here, "build", "host"))
    os.symlink(os.path.join(os.path.abspath(a.repo), "models"), os.path.join(here, "models"))
    os.symlink(os.path.abspath(os.path.dirname(a.modelc)), os.path.join(here, "build", "host", "bin"))
    target = "cortex-m4" if "cortex-m4" in a.qemu_targets else None
    if target is None:  # no firmware built: the same block on the host
        block = block.replace(" --target cortex-m4", "")
    # The README's python3 is Debian's (/usr/bin first, as on a fresh machine).
    env = dict(os.environ, PATH="/usr/bin:" + os.environ.get("PATH", ""))
    p = subprocess.run(["bash", "-e", "-c", block], cwd=here, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=600)
    log = p.stdout.decode("utf-8", "replace")
    if not c.ok("README kws_audio block runs", p.returncode == 0, log[-2000:]):
        return
    got = np.load(os.path.join(here, "kws_logits.npy")).argmax(1)
    labels = np.load(os.path.join(here, "kws_labels.npy"))
    acc = 100 * (got == labels).mean()
    print("INFO README block (%s): %.1f%% of %d held-back clips right" % (target or "host", acc,
                                                                         len(labels)))
    c.ok("README kws_audio block: >= 90% of its clips right", acc >= 90.0, "%.1f%%" % acc)


def main():
    a = parse_args(__doc__, "kws_audio")
    c = Checker()
    folder = os.path.join(a.repo, "models", "kws_audio")
    sys.path.insert(0, folder)
    import dataset
    clips, labels = dataset.held_back_clips()
    calib, _ = dataset.training_clips(per_class=4, seed=3)
    ref = torch_decisions(folder, clips)
    torch_acc = 100 * (ref.argmax(1) == labels).mean()
    clips_path = os.path.join(a.scratch, "clips.npy")
    calib_path = os.path.join(a.scratch, "calib.npy")
    few = os.path.join(a.scratch, "few.npy")
    np.save(calib_path, calib)
    for precision in ("float32", "int8", "int16"):
        name = "kws_audio " + precision
        audio = clips.astype(np.float32) / 32768 if precision == "float32" else clips
        np.save(clips_path, audio)
        np.save(few, audio[:RAW_CLIPS])
        model = os.path.join(a.scratch, "kws_%s.mote" % precision)
        r = run([a.modelc, "convert", os.path.join(folder, "kws_audio.onnx"), "-o", model,
                 "--frontend", dataset.MODELC_FRONTEND, "--calibration", calib_path,
                 "--precision", precision], timeout=300)
        if not c.ok("convert " + name, r.rc == 0, r.describe()):
            continue
        out = os.path.join(a.scratch, "y_%s.npy" % precision)
        r = run([a.sim, "run", model, "--input", clips_path, "--output", out], timeout=300)
        if not c.ok("run " + name, r.rc == 0, r.describe()):
            continue
        y = np.load(out)
        agree = 100 * (y.argmax(1) == ref.argmax(1)).mean()
        print("INFO %s: accuracy %.2f%% (PyTorch on torchaudio features %.2f%%), same decision as "
              "PyTorch on %.2f%% of %d held-back clips" % (
                  name, 100 * (y.argmax(1) == labels).mean(), torch_acc, agree, len(labels)))
        c.ok("%s agreement >= %.0f%%" % (name, MIN_AGREEMENT[precision]),
             agree >= MIN_AGREEMENT[precision], "%.2f%%" % agree)
        host = os.path.join(a.scratch, "raw_%s_host.npy" % precision)
        r = run([a.sim, "run", model, "--input", few, "--output", host, "--raw"])
        if not c.ok("raw %s host" % name, r.rc == 0, r.describe()):
            continue
        for t in a.qemu_targets:
            other = os.path.join(a.scratch, "raw_%s_%s.npy" % (precision, t))
            r = run([a.sim, "run", model, "--input", few, "--output", other, "--raw", "--target", t],
                    timeout=300)
            if board_too_small(r):
                c.skip("%s on %s" % (name, t), "model does not fit the board's RAM")
                continue
            if c.ok("run %s on %s" % (name, t), r.rc == 0, r.describe()):
                c.run("%s bytes identical on %s" % (name, t), compare_raw, host, other)
    check_readme_block(a, c, dataset.MODELC_FRONTEND)
    return c.finish()


if __name__ == "__main__":
    sys.exit(guarded(main))
