#!/usr/bin/env -S /usr/bin/python3
"""Generate a zoo of tiny PyTorch MLPs exported to ONNX, to exercise modelc on
the graphs PyTorch actually emits (different opsets, static/dynamic batch,
Flatten vs Reshape, bias-less MatMul, Clip with inputs, residual Add, ...).

Run with Debian's interpreter:  /usr/bin/python3 models/mlp_zoo/make_zoo.py
Nothing is trained: weights are random (fixed seed) and each Linear is rescaled
on the calibration batch so its pre-activation std hits a chosen target (so
ReLU6/Clip clip some but not all values and Sigmoid/Tanh are not saturated).

For every model, models/mlp_zoo/<name>/ gets:
  model.onnx  the exported graph (onnx.checker-validated)
  calib.npy   float32 [64, *input_shape_without_batch]
  x.npy       float32 [16, *input_shape_without_batch]  (different random draws)
  y.npy       float32 [16, *output_shape_without_batch] torch outputs for x
Static-batch-1 models (relu6_sigmoid, gemm_opset9) still ship 16/64-row arrays;
feed them one row at a time.
"""
import os
import random
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # keep models/ free of __pycache__
sys.path.insert(0, os.path.dirname(HERE))
import onnx_np_eval  # noqa: E402  (models/onnx_np_eval.py, numpy reference for the checks)

N_CALIB = 64
N_TEST = 16
MAX_WEIGHT_BYTES = 20 * 1024


def set_determinism(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    try:
        torch.use_deterministic_algorithms(True)
    except Exception as e:  # pragma: no cover
        print("warning: deterministic algorithms unavailable:", e)


# ----------------------------------------------------------------- models
class Relu6Sigmoid(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(16, 24), nn.ReLU6(), nn.Linear(24, 8)

    def forward(self, x):
        return torch.sigmoid(self.fc2(self.act(self.fc1(x))))


class TanhSoftmax(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(12, 20), nn.Linear(20, 6)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        return self.softmax(self.fc2(torch.tanh(self.fc1(x))))


class FlattenImage(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.fc1, self.fc2 = nn.Linear(64, 32), nn.Linear(32, 10)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(self.flatten(x))))


class ReshapeView(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(16, 16), nn.Linear(16, 3)

    def forward(self, x):
        x = x.reshape(x.shape[0], 16)
        return self.fc2(torch.relu(self.fc1(x)))


class MatmulNoBias(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 16, bias=False)
        self.fc2 = nn.Linear(16, 4, bias=False)

    def forward(self, x):
        return torch.clamp(self.fc2(torch.relu(self.fc1(x))), -1.5, 2.0)


class ResidualAdd(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(16, 16), nn.Linear(16, 5)

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        return self.fc2(h + x)


class GemmOpset9(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(8, 12), nn.Linear(12, 2)

    def forward(self, x):
        return self.fc2(torch.relu(self.fc1(x)))


# name, class, input shape (no batch), opset, dynamic batch?, {linear: target pre-act std}
# hardtanh_leaky was skipped: nn.LeakyReLU exports as LeakyRelu, which is outside
# the allowed op set; gemm_opset9 replaces it.


class BatchNormMlp(nn.Module):
    """Linear -> BatchNorm1d -> ReLU: exports a BatchNormalization node."""

    def __init__(self):
        super().__init__()
        self.fc1, self.bn, self.fc2 = nn.Linear(10, 20), nn.BatchNorm1d(20), nn.Linear(20, 4)
        g = torch.Generator().manual_seed(7)
        with torch.no_grad():  # non-trivial running statistics, so folding matters
            self.bn.running_mean.copy_(torch.randn(20, generator=g))
            self.bn.running_var.copy_(torch.rand(20, generator=g) * 2 + 0.5)
            self.bn.weight.copy_(torch.rand(20, generator=g) + 0.5)
            self.bn.bias.copy_(torch.randn(20, generator=g) * 0.5)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))

ZOO = [
    ("relu6_sigmoid", Relu6Sigmoid, (16,), 13, False, {"fc1": 3.5, "fc2": 2.0}),
    ("tanh_softmax", TanhSoftmax, (12,), 11, True, {"fc1": 1.5, "fc2": 2.0}),
    ("flatten_image", FlattenImage, (1, 8, 8), 13, True, {"fc1": 2.0, "fc2": 2.0}),
    ("reshape_view", ReshapeView, (4, 4), 13, True, {"fc1": 2.0, "fc2": 2.0}),
    ("matmul_nobias", MatmulNoBias, (10,), 13, True, {"fc1": 2.0, "fc2": 1.5}),
    ("residual_add", ResidualAdd, (16,), 13, True, {"fc1": 1.5, "fc2": 2.0}),
    ("gemm_opset9", GemmOpset9, (8,), 9, False, {"fc1": 2.0, "fc2": 2.0}),
    ("batchnorm_mlp", BatchNormMlp, (10,), 13, True, {"fc1": 2.0, "fc2": 2.0}),
]


@torch.no_grad()
def rescale_linears(model, calib, targets):
    """Sequentially scale each Linear (weight and bias) so its output std on
    `calib` equals the target. Deterministic, data-dependent init."""
    for name, target in targets.items():
        lin = getattr(model, name)
        seen = {}
        hook = lin.register_forward_hook(lambda m, i, o: seen.__setitem__("o", o))
        model(calib)
        hook.remove()
        s = target / float(seen["o"].std())
        lin.weight.mul_(s)
        if lin.bias is not None:
            lin.bias.mul_(s)


@torch.no_grad()
def activation_report(model, x):
    """One line on how the nonlinearities behave on x (sanity vs saturation)."""
    acts = {}
    hooks = [getattr(model, n).register_forward_hook(
        lambda m, i, o, n=n: acts.__setitem__(n, o)) for n in ("fc1", "fc2")]
    model(x)
    for h in hooks:
        h.remove()
    a, b = acts["fc1"], acts["fc2"]
    return (f"fc1 pre-act std {a.std():.2f} (>0: {(a > 0).float().mean():.0%}, "
            f">6: {(a > 6).float().mean():.1%}); fc2 out std {b.std():.2f} "
            f"(|.|>5: {(b.abs() > 5).float().mean():.1%}, <-1.5: "
            f"{(b < -1.5).float().mean():.0%}, >2: {(b > 2).float().mean():.0%})")


def make_one(idx, name, cls, in_shape, opset, dynamic, targets):
    seed = 1000 + idx
    set_determinism(seed)
    model = cls().eval()
    rng = np.random.default_rng(seed)
    calib = rng.standard_normal((N_CALIB,) + in_shape).astype(np.float32)
    x = rng.standard_normal((N_TEST,) + in_shape).astype(np.float32)

    rescale_linears(model, torch.from_numpy(calib), targets)
    n_weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    assert n_weight_bytes < MAX_WEIGHT_BYTES, (name, n_weight_bytes)

    with torch.no_grad():
        y = model(torch.from_numpy(x)).numpy().astype(np.float32)

    out_dir = os.path.join(HERE, name)
    os.makedirs(out_dir, exist_ok=True)
    onnx_path = os.path.join(out_dir, "model.onnx")
    export_kw = dict(opset_version=opset, input_names=["x"], output_names=["y"],
                     do_constant_folding=True)
    if dynamic:
        dummy = torch.from_numpy(x[:2])
        export_kw["dynamic_axes"] = {"x": {0: "batch"}, "y": {0: "batch"}}
    else:
        dummy = torch.from_numpy(x[:1])
    torch.onnx.export(model, dummy, onnx_path, **export_kw)

    m = onnx.load(onnx_path)
    onnx.checker.check_model(m)
    ops = [n.op_type for n in m.graph.node]

    # Verify the graph against torch with the numpy reference evaluator.
    if dynamic:
        (y_onnx,) = onnx_np_eval.run(m, {"x": x})
    else:
        y_onnx = np.concatenate([onnx_np_eval.run(m, {"x": x[i:i + 1]})[0]
                                 for i in range(N_TEST)])
    diff = float(np.abs(y_onnx - y).max())
    assert diff < 1e-5, (name, diff)

    np.save(os.path.join(out_dir, "calib.npy"), calib)
    np.save(os.path.join(out_dir, "x.npy"), x)
    np.save(os.path.join(out_dir, "y.npy"), y)

    def dims(vi):
        return [d.dim_param if d.dim_param else d.dim_value
                for d in vi.type.tensor_type.shape.dim]
    in_dims = dims(m.graph.input[0])
    out_dims = dims(m.graph.output[0])
    n_const_nodes = sum(op == "Constant" for op in ops)
    inits = [(t.name, list(t.dims)) for t in m.graph.initializer]

    print(f"== {name}: opset {opset}, {'dynamic' if dynamic else 'static batch 1'}")
    print(f"   input x {in_dims}  output y {out_dims}  weights {n_weight_bytes} B")
    print(f"   ops: {ops}")
    print(f"   op set: {sorted(set(ops))}  ({n_const_nodes} Constant nodes)")
    print(f"   initializers: {inits}")
    print(f"   {activation_report(model, torch.from_numpy(x))}")
    print(f"   numpy-eval max |onnx - torch| = {diff:.3g}")
    for f in ("model.onnx", "calib.npy", "x.npy", "y.npy"):
        p = os.path.join(out_dir, f)
        shape = "" if f.endswith(".onnx") else f"  {list(np.load(p).shape)}"
        print(f"   wrote {name}/{f}  {os.path.getsize(p)} bytes{shape}")
    return dict(name=name, opset=opset, dynamic=dynamic, ops=ops,
                in_dims=in_dims, out_dims=out_dims, y_shape=list(y.shape[1:]))


def main():
    print(f"torch {torch.__version__}, onnx {onnx.__version__}")
    results = [make_one(i, *spec) for i, spec in enumerate(ZOO)]
    print("\nsummary:")
    for r in results:
        print(f"  {r['name']:14s} opset {r['opset']:2d}  "
              f"{'dyn ' if r['dynamic'] else 'b=1 '} {r['in_dims']} -> {r['out_dims']}  "
              f"{' '.join(r['ops'])}")


if __name__ == "__main__":
    main()
