"""Tiny numpy reference evaluator for the ONNX subset used by the models/ scripts.

onnxruntime is not available in this environment and onnx 1.12 has no
onnx.reference, so the generation scripts use this to check that each exported
graph reproduces the PyTorch outputs. It is deliberately small and strict:
unknown ops or attributes raise. Not used by the C++ runtime.
"""
import numpy as np
import onnx
from onnx import numpy_helper

_ONNX_TO_NP = {
    onnx.TensorProto.FLOAT: np.float32,
    onnx.TensorProto.DOUBLE: np.float64,
    onnx.TensorProto.INT64: np.int64,
    onnx.TensorProto.INT32: np.int32,
    onnx.TensorProto.INT8: np.int8,
    onnx.TensorProto.UINT8: np.uint8,
    onnx.TensorProto.BOOL: np.bool_,
}


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _opset(model):
    for imp in model.opset_import:
        if imp.domain in ("", "ai.onnx"):
            return imp.version
    raise ValueError("no default-domain opset")


def run(model, feeds):
    """Evaluate `model` (onnx.ModelProto) on dict name->ndarray; returns list of outputs."""
    opset = _opset(model)
    env = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    env.update({k: np.asarray(v) for k, v in feeds.items()})
    env[""] = None

    for node in model.graph.node:
        a = _attrs(node)
        ins = [env[n] for n in node.input]
        op = node.op_type
        if op == "Gemm":
            A, B = ins[0], ins[1]
            C = ins[2] if len(ins) > 2 else None
            if a.get("transA", 0):
                A = A.T
            if a.get("transB", 0):
                B = B.T
            out = np.float32(a.get("alpha", 1.0)) * (A @ B)
            if C is not None:
                out = out + np.float32(a.get("beta", 1.0)) * C
            res = [out.astype(np.float32)]
        elif op == "MatMul":
            res = [np.matmul(ins[0], ins[1])]
        elif op == "Add":
            res = [ins[0] + ins[1]]
        elif op == "Relu":
            res = [np.maximum(ins[0], 0).astype(ins[0].dtype)]
        elif op == "BatchNormalization":  # inference mode, channels on axis 1
            x, g, b, m, v = ins[:5]
            shape = (1, -1) + (1,) * (x.ndim - 2)
            eps = np.float32(a.get("epsilon", 1e-5))
            res = [((x - m.reshape(shape)) / np.sqrt(v.reshape(shape) + eps) * g.reshape(shape)
                    + b.reshape(shape)).astype(np.float32)]
        elif op == "Sigmoid":
            res = [(1.0 / (1.0 + np.exp(-ins[0].astype(np.float64)))).astype(ins[0].dtype)]
        elif op == "Tanh":
            res = [np.tanh(ins[0])]
        elif op == "Clip":
            x = ins[0]
            if opset < 11:
                lo, hi = a.get("min", -np.inf), a.get("max", np.inf)
            else:
                lo = ins[1] if len(ins) > 1 and ins[1] is not None else -np.inf
                hi = ins[2] if len(ins) > 2 and ins[2] is not None else np.inf
            res = [np.clip(x, lo, hi).astype(x.dtype)]
        elif op == "Softmax":
            x = ins[0]
            if opset >= 13:
                ax = a.get("axis", -1)
                e = np.exp(x - x.max(axis=ax, keepdims=True))
                res = [(e / e.sum(axis=ax, keepdims=True)).astype(x.dtype)]
            else:
                ax = a.get("axis", 1) % x.ndim
                x2 = x.reshape(int(np.prod(x.shape[:ax])), -1)
                e = np.exp(x2 - x2.max(axis=1, keepdims=True))
                res = [(e / e.sum(axis=1, keepdims=True)).reshape(x.shape).astype(x.dtype)]
        elif op == "Flatten":
            x = ins[0]
            ax = a.get("axis", 1) % (x.ndim if x.ndim else 1)
            res = [x.reshape(int(np.prod(x.shape[:ax])), -1)]
        elif op == "Reshape":
            x, shape = ins[0], [int(s) for s in ins[1]]
            if a.get("allowzero", 0):
                raise NotImplementedError("Reshape allowzero=1")
            shape = [x.shape[i] if s == 0 else s for i, s in enumerate(shape)]
            res = [x.reshape(shape)]
        elif op == "Identity":
            res = [ins[0]]
        elif op == "Constant":
            if "value" not in a:
                raise NotImplementedError(f"Constant attrs {list(a)}")
            res = [numpy_helper.to_array(a["value"])]
        elif op == "Shape":
            if "start" in a or "end" in a:
                raise NotImplementedError("Shape start/end")
            res = [np.array(ins[0].shape, dtype=np.int64)]
        elif op == "Gather":
            res = [np.take(ins[0], ins[1], axis=a.get("axis", 0))]
        elif op == "Unsqueeze":
            axes = a["axes"] if opset < 13 else [int(v) for v in ins[1]]
            x = ins[0]
            rank = x.ndim + len(axes)
            for ax in sorted(ax % rank for ax in axes):
                x = np.expand_dims(x, ax)
            res = [x]
        elif op == "Concat":
            res = [np.concatenate([np.atleast_1d(t) for t in ins], axis=a["axis"])]
        elif op == "Cast":
            res = [ins[0].astype(_ONNX_TO_NP[a["to"]])]
        else:
            raise NotImplementedError(f"op {op} not supported by onnx_np_eval")
        for name, val in zip(node.output, res):
            env[name] = val
    return [env[o.name] for o in model.graph.output]
