"""The README's Python snippets and examples/python run as written, so they cannot rot.

Each ```python block of README.md runs in a fresh folder with the build
tree's package on PYTHONPATH; so does examples/python/notebook.py, whose
figures are checked (converted models agree with the originals).
"""
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(code_or_path, cwd, args=()):
    cmd = [sys.executable, code_or_path, *args] if os.path.isfile(code_or_path) else [sys.executable, "-c", code_or_path]
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        print(r.stdout, r.stderr)
        raise SystemExit(f"FAIL: {code_or_path[:60]!r} exited {r.returncode}")
    return r.stdout


def main():
    failures = 0
    with open(os.path.join(REPO, "README.md")) as f:
        blocks = re.findall(r"```python\n(.*?)```", f.read(), re.S)
    assert blocks, "README.md holds no python block"
    for k, code in enumerate(blocks):
        with tempfile.TemporaryDirectory() as d:
            out = run(code, d)
            print(f"README python block {k}: ok\n{out}")
            if k == 0:
                accuracy = float(out.split()[0])
                if accuracy < 0.85 or not os.path.exists(os.path.join(d, "digits_model.h")):
                    print(f"FAIL README block 0: accuracy {accuracy} or no header")
                    failures += 1
    with tempfile.TemporaryDirectory() as d:
        out = run(os.path.join(REPO, "examples", "python", "notebook.py"), d, [d])
        print(out)
        m = re.search(r"forest accuracy: scikit-learn ([\d.]+), mote ([\d.]+)", out)
        same = re.search(r"same decision on ([\d.]+)%", out)
        if not m or abs(float(m.group(1)) - float(m.group(2))) > 0.01 or not same or float(same.group(1)) < 97:
            print("FAIL notebook: converted models disagree with the originals")
            failures += 1
        for name in ("forest_model.h", "cnn_model.h", "cnn.mote"):
            if not os.path.exists(os.path.join(d, name)):
                print(f"FAIL notebook: no {name}")
                failures += 1
    print("docs_test:", "FAIL" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
