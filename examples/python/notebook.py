"""From a notebook to a microcontroller, with mote's Python API.

Run it as a script or cell by cell (each "# %%" starts a cell):

    PYTHONPATH=build/host/python /usr/bin/python3 examples/python/notebook.py [OUT_DIR]

It trains a scikit-learn random forest and a small PyTorch CNN on the digits
data, converts both for a Cortex-M (int8 for the network), checks that the
converted models still predict what the originals predict, looks at what they
cost in RAM, flash and compute, and writes the headers a firmware build embeds.
"""
# %% Data: 8x8 handwritten digits, scaled to [0, 1].
import os
import sys

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier

import mote

out_dir = sys.argv[1] if len(sys.argv) > 1 else "."
os.makedirs(out_dir, exist_ok=True)
x, y = load_digits(return_X_y=True)
x = (x / 16.0).astype(np.float32)
x_train, y_train, x_test, y_test = x[:1400], y[:1400], x[1400:], y[1400:]

# %% A classic model: a random forest, converted as it is (trees need no calibration).
forest = RandomForestClassifier(n_estimators=20, max_depth=8, random_state=0).fit(x_train, y_train)
forest_mote = mote.convert(forest, calibration=x_train)
print(forest_mote)
forest_acc = float(np.mean(forest_mote.predict(x_test) == y_test))
sklearn_acc = forest.score(x_test, y_test)
print(f"forest accuracy: scikit-learn {sklearn_acc:.3f}, mote {forest_acc:.3f}")

# %% A network: a small CNN in PyTorch, quantized to int8 with the training images as calibration.
class ToImage(torch.nn.Module):
    def forward(self, x):
        return x.reshape(-1, 1, 8, 8)


torch.manual_seed(0)
net = torch.nn.Sequential(
    ToImage(),
    torch.nn.Conv2d(1, 8, 3, padding=1), torch.nn.ReLU(),
    torch.nn.MaxPool2d(2),
    torch.nn.Flatten(), torch.nn.Linear(8 * 4 * 4, 10))
opt = torch.optim.Adam(net.parameters(), lr=0.01)
for _ in range(200):
    opt.zero_grad()
    loss = torch.nn.functional.cross_entropy(net(torch.from_numpy(x_train)), torch.from_numpy(y_train))
    loss.backward()
    opt.step()
with torch.no_grad():
    torch_pred = net(torch.from_numpy(x_test)).argmax(1).numpy()

cnn_mote = mote.convert(net, calibration=x_train, precision="int8")
cnn_pred = cnn_mote.predict(x_test).argmax(1)
print(cnn_mote)
print(f"cnn accuracy: PyTorch {np.mean(torch_pred == y_test):.3f}, mote int8 {np.mean(cnn_pred == y_test):.3f}, "
      f"same decision on {np.mean(cnn_pred == torch_pred):.1%} of the test images")

# %% What each costs on the device.
for label, model in (("forest", forest_mote), ("cnn", cnn_mote)):
    r = model.report
    m4 = next(s["worst_case_bytes"] for s in r["stack"] if s["cpu"] == "cortex-m4")
    print(f"{label}: arena {r['arena_bytes']} B, flash {r['file_bytes']} B, "
          f"{r['total_macs']} MACs, stack {m4} B on a Cortex-M4")

# %% Headers for the firmware: the bytes and MOTE_<NAME>_ARENA_SIZE.
forest_mote.header(os.path.join(out_dir, "forest_model.h"), "forest")
cnn_mote.header(os.path.join(out_dir, "cnn_model.h"), "cnn")
cnn_mote.save(os.path.join(out_dir, "cnn.mote"))
print("wrote", ", ".join(sorted(os.listdir(out_dir))))
