"""mote: convert trained models for microcontrollers and run them, from Python.

Five lines from a fitted model to a firmware header::

    import mote
    model = mote.convert(clf, calibration=X_train)        # scikit-learn, PyTorch, ONNX or TFLite
    print((model.predict(X_test) == y_test).mean())      # the runtime a device runs
    print(model.report["arena_bytes"], "bytes of RAM")
    model.header("model.h", "digits")                    # MOTE_DIGITS_ARENA_SIZE, the bytes

``convert`` runs modelc's pipeline in this process (the same code as
``modelc convert``); ``Model.predict`` and ``Model.run`` run the converted
bytes with the mote runtime after the same verification a device does.
Failures raise the classes in :mod:`mote.errors`.
"""
from __future__ import annotations

import io
import json
import os
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from . import _mote
from .errors import (ArenaTooSmallError, BudgetExceededError, ConversionError, CorruptModelError,
                     InputShapeError, InvalidModelError, MoteError, UnsupportedInBuildError,
                     UnsupportedOpError, VersionMismatchError)

__all__ = [
    "convert", "load", "Model", "TensorSpec", "MoteError", "ConversionError", "UnsupportedOpError",
    "InvalidModelError", "BudgetExceededError", "CorruptModelError", "VersionMismatchError",
    "UnsupportedInBuildError", "ArenaTooSmallError", "InputShapeError",
]

Arrays = Union[np.ndarray, Sequence[np.ndarray], Mapping[str, np.ndarray]]


class TensorSpec(NamedTuple):
    """A model input or output as the runtime holds it."""

    name: str
    shape: Tuple[int, ...]
    dtype: str           # "int8", "int16", "float32", "int64", ...
    scale: float         # real = scale * (q - zero_point); 0 for float and integer labels
    zero_point: int


class Model:
    """A converted (or loaded) .mote model, verified and ready to run.

    Attributes: ``bytes`` (the .mote file), ``name``, ``arena_size`` (bytes of
    RAM the device needs for activations), ``inputs`` and ``outputs``
    (:class:`TensorSpec`), ``report`` (plain Python data: arena, flash, MACs,
    stack per Cortex-M CPU, per-operator table, quantization error).
    """

    def __init__(self, data: bytes, report: Optional[Dict[str, Any]] = None, summary: str = "",
                 source: str = "", arena_size: Optional[int] = None) -> None:
        self._runtime = _mote.Runtime(bytes(data), arena_size)
        self._source = source
        self._report = report
        self.summary = summary
        self.inputs: List[TensorSpec] = [_spec(t) for t in self._runtime.inputs]
        self.outputs: List[TensorSpec] = [_spec(t) for t in self._runtime.outputs]

    @property
    def bytes(self) -> bytes:
        """The .mote file's bytes (what `save` writes and a device loads)."""
        return self._runtime.bytes

    @property
    def name(self) -> str:
        return self._runtime.name

    @property
    def arena_size(self) -> int:
        """Bytes of arena (RAM) an interpreter needs: exact, planned by modelc."""
        return self._runtime.arena_size

    @property
    def report(self) -> Dict[str, Any]:
        """What modelc reports (``modelc convert --report``) for a converted
        model; for a loaded file, what ``modelc inspect --json`` shows."""
        if self._report is None:
            self._report = json.loads(_mote.inspect(self.bytes, self.name or "model", True))
        return self._report

    def run(self, inputs: Arrays, raw: bool = False) -> Dict[str, np.ndarray]:
        """Runs the model on one sample or a batch and returns every output by name.

        ``inputs``: an array (one-input models), a list with one array per
        input, or a dict by input name. Each array holds one sample (exactly the
        input's shape) or a batch ``[N, ...]``; float arrays are quantized with
        the model's parameters, arrays of the input's own type are used as they
        are. Outputs are float32 (dequantized) unless ``raw``; integer labels
        stay int64, and string class labels come back as numpy strings.
        """
        arrays = self._input_list(inputs)
        samples, form = None, None
        flat = []
        for spec, a in zip(self.inputs, arrays):
            n, f = _count_samples(spec, a)
            if samples is not None and n != samples:
                raise InputShapeError(f"input '{spec.name}' holds {n} samples, the first input {samples}",
                                      input=spec.name, expected=spec.shape, got=tuple(a.shape))
            samples, form = n, f if form is None else form
            native = np.dtype(spec.dtype)
            if spec.dtype in ("int32", "int64"):  # indices (token ids): integers that fit
                a = _indices(spec, a, native)
            a = a if a.dtype == native and spec.dtype != "float32" else np.asarray(a, np.float32)
            flat.append(np.ascontiguousarray(a).reshape(n, -1))
        raw_outputs = self._runtime.run(flat, samples)
        result = {}
        for k, (spec, out) in enumerate(zip(self.outputs, raw_outputs)):
            if not raw and spec.dtype in ("int8", "int16", "uint8"):
                out = self._runtime.dequantize(k, out)
            names = self._runtime.class_names(k)
            if names is not None and not raw:
                out = np.asarray(names)[out]
            result[spec.name] = out.reshape(_output_shape(spec.shape, samples, form))
        return result

    @property
    def state_size(self) -> int:
        """Bytes of arena kept between invokes (a streaming model's FIFO windows
        and recurrent states); 0 for a stateless model."""
        return self._runtime.state_size

    def reset_state(self) -> None:
        """Sets a streaming model's state to zero, as when it was loaded: the
        next sample starts a new stream. :meth:`run` never resets it: a batch
        ``[N, ...]`` is N consecutive invokes (N hops of one stream), and a
        streaming model's outputs depend on every sample since the last reset."""
        self._runtime.reset_state()

    def predict(self, x: Arrays) -> np.ndarray:
        """The first output for ``x`` (one sample or a batch): class labels for
        classifiers converted from scikit-learn, scores or values otherwise."""
        return next(iter(self.run(x).values()))

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Writes the .mote file (atomically: a temporary beside it, then renamed)."""
        _write_atomic(path, self.bytes)

    def header(self, path: Union[str, os.PathLike], name: Optional[str] = None) -> str:
        """Writes a C/C++ header embedding the file (``alignas(16)``) and
        defining ``MOTE_<NAME>_ARENA_SIZE``, as ``modelc convert --header``; returns its text."""
        text = _mote.header(self.bytes, name or self.name or "model", self.arena_size, self._source or "python")
        _write_atomic(path, text.encode())
        return text

    def compare(self, source: Any, x: Arrays, max_samples: int = 64, opset: int = 13) -> Dict[str, Any]:
        """Layer by layer: the float model ``source`` (what convert() took) and
        this model on the inputs ``x``, as ``modelc compare`` prints it.

        Returns ``{"tensors": [{"op_index", "op", "tensor", "type", "shape",
        "sqnr_db", "drop_db", "max_abs_error", "mean_abs_error", "exact"}, ...],
        "worst": i, "first_jump": j, "samples": n, "text": the table}`` where
        ``worst`` indexes the tensor whose SQNR falls most below its inputs'
        (the layer to try ``precision="int16"`` on) and ``first_jump`` the
        first that falls more than 6 dB (-1: none); an exact tensor has
        ``sqnr_db`` None and ``exact`` True.
        """
        arrays = _calibration_list(x)
        data, source_name = _source_bytes(source, arrays, opset)
        result, text = _mote.compare(data, source_name, self.bytes, arrays, max_samples)
        out = json.loads(result)
        out["text"] = text
        return out

    def describe(self) -> str:
        """What the file holds, as ``modelc inspect`` prints it."""
        return _mote.inspect(self.bytes, self.name or "model", False)

    def __repr__(self) -> str:
        ins = ", ".join(f"{s.name}: {s.dtype}{list(s.shape)}" for s in self.inputs)
        outs = ", ".join(f"{s.name}: {s.dtype}{list(s.shape)}" for s in self.outputs)
        return f"<mote.Model '{self.name}' ({ins}) -> ({outs}), arena {self.arena_size} B, file {len(self.bytes)} B>"

    def _input_list(self, inputs: Arrays) -> List[np.ndarray]:
        if isinstance(inputs, Mapping):
            missing = [s.name for s in self.inputs if s.name not in inputs]
            extra = [k for k in inputs if k not in {s.name for s in self.inputs}]
            if missing or extra:
                raise InputShapeError(f"inputs by name: missing {missing}, unknown {extra}",
                                      input=(missing + extra)[0], expected=(), got=())
            return [np.asarray(inputs[s.name]) for s in self.inputs]
        listed = isinstance(inputs, (list, tuple)) and all(isinstance(a, np.ndarray) for a in inputs)
        if len(self.inputs) == 1 and not (listed and len(inputs) == 1):
            return [np.asarray(inputs)]
        if not listed or len(inputs) != len(self.inputs):
            raise InputShapeError(f"the model has {len(self.inputs)} inputs: give a list of that many arrays "
                                  "or a dict by input name", input="", expected=(), got=())
        return [np.asarray(a) for a in inputs]


def convert(source: Any, calibration: Optional[Arrays] = None, precision: str = "int8", *,
            name: Optional[str] = None, selftest: int = 0, cores: Optional[Sequence[str]] = None,
            max_arena: Optional[int] = None, max_flash: Optional[int] = None, max_macs: Optional[int] = None,
            max_stack: Union[None, int, Mapping[str, int]] = None, opset: int = 13,
            frontend: Optional[str] = None,
            stream: Union[None, str, Sequence[str]] = None) -> Model:
    """Converts a model to a verified :class:`Model` in this process.

    ``source``: a path to an ``.onnx`` or ``.tflite`` file, its bytes, an
    ``onnx.ModelProto``, a fitted scikit-learn estimator or pipeline (exported
    by mote_sklearn), or a ``torch.nn.Module`` (exported to ONNX at ``opset``
    with one calibration sample as the example input).
    ``calibration``: representative float inputs, ``[N, ...input shape]`` (a
    list or dict for several inputs); needed for int8/int16 quantization.
    ``precision``: "int8" (default), "int16" or "float32".
    Budgets (``max_arena``/``max_flash`` bytes, ``max_macs``, ``max_stack``
    bytes for every Cortex-M CPU or ``{"cortex-m4": 2048}``) raise
    :class:`BudgetExceededError` when exceeded; ``cores`` chooses the cores
    kernel scratch is planned for (all by default); ``selftest`` embeds that
    many golden vectors. ``stream`` (``modelc convert --stream``), e.g.
    ``"input=x,axis=1,hop=1"`` or a list of such, makes a streaming model: each
    run sample is one invoke taking one hop of that input's time axis, and the
    model keeps state between invokes (see :meth:`Model.reset_state`). Raises :class:`UnsupportedOpError` (with node, op,
    reason) or :class:`InvalidModelError` when the model cannot be converted.
    ``frontend``: an audio front-end to prepend, as modelc convert --frontend
    (e.g. ``"logmel:n_fft=512,hop_length=320,n_mels=40"``); the model then
    takes raw audio ``[1, samples]`` and ``calibration`` holds raw audio
    (int16, or float in [-1, 1]); ``source`` must then be an ONNX model.
    """
    if frontend and isinstance(calibration, np.ndarray) and calibration.dtype == np.int16:
        calibration = calibration.astype(np.float32) / 32768.0  # raw audio, as modelc reads it
    calib = _calibration_list(calibration)
    data, source_name = _source_bytes(source, calib, opset)
    stack: List[Tuple[str, int]] = []
    if isinstance(max_stack, int):
        stack = [("", max_stack)]
    elif max_stack:
        stack = list(max_stack.items())
    out = _mote.convert(data, source_name, name or "", calib, precision, selftest,
                        list(cores) if cores else None, max_arena, max_flash, max_macs, stack,
                        frontend or "",
                        [stream] if isinstance(stream, str) else list(stream or []))
    return Model(out["bytes"], report=json.loads(out["report"]), summary=out["summary"], source=source_name)


def load(source: Union[str, os.PathLike, bytes], arena_size: Optional[int] = None) -> Model:
    """Loads and verifies a .mote file (path or bytes), as a device would.

    ``arena_size`` tries the model with that much arena (bytes) and raises
    :class:`ArenaTooSmallError` (with ``needed``) if it does not fit.
    Raises :class:`CorruptModelError` or :class:`VersionMismatchError` for a
    file the runtime refuses.
    """
    if isinstance(source, (bytes, bytearray)):
        return Model(bytes(source), arena_size=arena_size)
    with open(source, "rb") as f:
        return Model(f.read(), source=os.fspath(source), arena_size=arena_size)


def _spec(t: Dict[str, Any]) -> TensorSpec:
    return TensorSpec(t["name"], tuple(t["shape"]), t["dtype"], float(t["scale"]), int(t["zero_point"]))


def _fits(spec: TensorSpec, a: np.ndarray) -> bool:
    try:
        _count_samples(spec, a)
        return True
    except InputShapeError:
        return False


def _count_samples(spec: TensorSpec, a: np.ndarray) -> Tuple[int, str]:
    """Samples in ``a`` for ``spec`` and the form it has: "exact" (one sample
    in the input's shape), "batch" ([N, ...]) or "item" (one sample without
    the input's leading 1); the rule mote-sim and modelc use (DESIGN.md §6)."""
    shape = tuple(spec.shape)
    if tuple(a.shape) == shape:
        return 1, "exact"
    item = shape[1:] if shape and shape[0] == 1 else shape
    if a.ndim == len(item) + 1 and tuple(a.shape[1:]) == item and a.shape[0] > 0:
        return int(a.shape[0]), "batch"
    if a.ndim == len(item) and tuple(a.shape) == item:
        return 1, "item"
    raise InputShapeError(f"input '{spec.name}' has shape {list(shape)}; got an array of shape {list(a.shape)} "
                          f"(give one sample of that shape or a batch [N, {', '.join(map(str, item))}])",
                          input=spec.name, expected=shape, got=tuple(a.shape))


def _indices(spec: "TensorSpec", a: np.ndarray, native: np.dtype) -> np.ndarray:
    """An index input (an ONNX INT64 / INT32 input, int32 in the model): integer arrays
    whose values fit, converted here on the host (int64 token ids are the usual kind)."""
    if a.dtype.kind not in "iu":
        raise InputShapeError(f"input '{spec.name}' holds {spec.dtype} indices; give integers, not {a.dtype}",
                              input=spec.name, expected=spec.shape, got=tuple(a.shape))
    info = np.iinfo(native)
    if a.size and (a.min() < info.min or a.max() > info.max):
        raise InputShapeError(f"input '{spec.name}': values outside {spec.dtype} ({a.min()} .. {a.max()})",
                              input=spec.name, expected=spec.shape, got=tuple(a.shape))
    return a.astype(native)


def _output_shape(shape: Sequence[int], samples: int, form: str) -> Tuple[int, ...]:
    if form == "exact":
        return tuple(shape)
    item = tuple(shape[1:]) if shape and shape[0] == 1 else tuple(shape)
    return item if form == "item" else (samples,) + item


def _calibration_list(calibration: Optional[Arrays]) -> List[np.ndarray]:
    if calibration is None:
        return []
    def as_array(c):  # integer arrays (token ids) stay integers
        c = np.asarray(c)
        return c.astype(np.int64) if c.dtype.kind in "iu" else c.astype(np.float32)
    if isinstance(calibration, Mapping):
        return [as_array(v) for v in calibration.values()]
    if isinstance(calibration, (list, tuple)) and calibration and all(isinstance(c, np.ndarray) for c in calibration):
        return [as_array(c) for c in calibration]  # one array per input
    return [as_array(calibration)]


def _source_bytes(source: Any, calibration: List[np.ndarray], opset: int) -> Tuple[bytes, str]:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as f:
            return f.read(), os.fspath(source)
    if isinstance(source, (bytes, bytearray)):
        return bytes(source), "model.onnx"
    if type(source).__name__ == "ModelProto":
        return source.SerializeToString(), (source.graph.name or "model") + ".onnx"
    if _is_sklearn(source):
        import mote_sklearn
        n_features = getattr(source, "n_features_in_", None)
        if n_features is None:
            raise InvalidModelError("the scikit-learn estimator is not fitted (no n_features_in_)")
        try:
            proto = mote_sklearn.to_onnx(source, n_features=int(n_features))
        except mote_sklearn.ExportError as e:
            raise UnsupportedOpError(str(e), node="", op=type(source).__name__, reason=str(e)) from e
        return proto.SerializeToString(), type(source).__name__.lower() + ".onnx"
    if _is_torch(source):
        return _torch_to_onnx(source, calibration, opset), type(source).__name__.lower() + ".onnx"
    raise TypeError(f"mote.convert: cannot convert a {type(source).__name__} (give a path, bytes, an "
                    "onnx.ModelProto, a fitted scikit-learn estimator or a torch.nn.Module)")


def _is_sklearn(obj: Any) -> bool:
    return any(c.__module__.startswith("sklearn.") for c in type(obj).__mro__) and hasattr(obj, "fit")


def _is_torch(obj: Any) -> bool:
    return any(c.__module__.startswith("torch.nn") and c.__name__ == "Module" for c in type(obj).__mro__)


def _torch_to_onnx(module: Any, calibration: List[np.ndarray], opset: int) -> bytes:
    import torch
    if not calibration:
        raise InvalidModelError("mote.convert of a torch.nn.Module needs calibration data: one sample "
                                "gives the export its input shape")
    example = tuple(torch.from_numpy(np.ascontiguousarray(c[:1])) for c in calibration)
    buffer = io.BytesIO()
    was_training = module.training
    module.eval()
    try:
        names = ["input"] if len(example) == 1 else [f"input{i}" for i in range(len(example))]
        torch.onnx.export(module, example if len(example) > 1 else example[0], buffer, opset_version=opset,
                          input_names=names, output_names=["output"])
    finally:
        module.train(was_training)
    return buffer.getvalue()


def _write_atomic(path: Union[str, os.PathLike], data: bytes) -> None:
    path = os.fspath(path)
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
