#!/usr/bin/env bash
# The first README command: installs what is missing, builds, converts the
# bundled digits MLP to int8 and runs it on the host and on an emulated
# Cortex-M4, checking that both give the same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
out=build/demo
mkdir -p "$out"
bin=build/host/bin
model=models/digits_mlp
echo
echo "== modelc convert (int8, calibrated on $model/calib.npy)"
"$bin/modelc" convert "$model/digits_mlp.onnx" -o "$out/digits.mote" --calibration "$model/calib.npy" \
  --header "$out/digits_model.h" --report "$out/digits.json"
echo
echo "== modelc inspect"
"$bin/modelc" inspect "$out/digits.mote"
echo
echo "== mote-sim on the host and on QEMU mps2-an386 (Cortex-M4F)"
"$bin/mote-sim" run "$out/digits.mote" --input "$model/test_x.npy" --output "$out/host.npy" --raw
"$bin/mote-sim" run "$out/digits.mote" --input "$model/test_x.npy" --output "$out/m4.npy" --raw \
  --target cortex-m4 --profile
"$bin/mote-sim" run "$out/digits.mote" --input "$model/test_x.npy" --output "$out/logits.npy"
cmp "$out/host.npy" "$out/m4.npy" && echo "host and cortex-m4 outputs are byte-identical"
/usr/bin/python3 - "$out/logits.npy" "$model/test_y.npy" "$model/torch_logits.npy" <<'PY'
import sys
import numpy as np
y, labels, ref = (np.load(p) for p in sys.argv[1:4])
print(f"accuracy on {len(labels)} test digits: int8 {100 * (y.argmax(1) == labels).mean():.2f}% "
      f"(PyTorch float {100 * (ref.argmax(1) == labels).mean():.2f}%)")
PY
grep -o 'MOTE_[A-Z_]*_ARENA_SIZE [0-9]*u' "$out/digits_model.h"
