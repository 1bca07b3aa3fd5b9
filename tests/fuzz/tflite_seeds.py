#!/usr/bin/env -S /usr/bin/python3
"""Writes small TFLite models as flatc JSON (tools/modelc/import/tflite_schema.fbs,
which keeps the field ids of TFLite's schema) for the seed corpus of
fuzz_tflite_import: every operator modelc imports, in float32 and int8, on
tensors small enough that the whole conversion takes milliseconds.

  tflite_seeds.py OUT_DIR     # then: flatc -b -o OUT_DIR tflite_schema.fbs OUT_DIR/*.json

The float32 models also get NAME.calib.npy, calibration rows for converting
them to int8 and int16 (.mote seeds of fuzz_mote_load).
"""
import json
import os
import struct
import sys

import numpy as np

CODES = {"ADD": 0, "AVERAGE_POOL_2D": 1, "CONCATENATION": 2, "CONV_2D": 3, "DEPTHWISE_CONV_2D": 4,
         "DEQUANTIZE": 6, "FULLY_CONNECTED": 9, "LOGISTIC": 14, "MAX_POOL_2D": 17, "MUL": 18, "RELU": 19,
         "RELU_N1_TO_1": 20, "RELU6": 21, "RESHAPE": 22, "SOFTMAX": 25, "TANH": 28, "PAD": 34,
         "TRANSPOSE": 39, "MEAN": 40, "SUB": 41, "SQUEEZE": 43, "PADV2": 60, "LEAKY_RELU": 98,
         "QUANTIZE": 114, "HARD_SWISH": 117, "UNIDIRECTIONAL_SEQUENCE_LSTM": 44}


class Model:
    def __init__(self, int8):
        self.int8 = int8
        self.tensors, self.buffers, self.ops, self.codes = [], [{}], [], []

    def _buffer(self, fmt, values):
        self.buffers.append({"data": list(struct.pack("<%d%s" % (len(values), fmt), *values))})
        return len(self.buffers) - 1

    def _tensor(self, name, shape, ttype, buffer=0, quant=None):
        t = {"name": name, "shape": shape, "type": ttype, "buffer": buffer}
        if quant:
            t["quantization"] = quant
        self.tensors.append(t)
        return len(self.tensors) - 1

    def act(self, name, shape, scale=0.05, zero_point=0):
        """An activation tensor: float32, or int8 with the given parameters."""
        if self.int8:
            return self._tensor(name, shape, "INT8", quant={"scale": [scale], "zero_point": [zero_point]})
        return self._tensor(name, shape, "FLOAT32")

    def weights(self, name, shape, axis, in_scale=0.05):
        """Constant weights (per-channel int8 along `axis`) and the matching bias."""
        n = 1
        for d in shape:
            n *= d
        values = [((k * 37) % 19 - 9) / 10.0 for k in range(n)]
        channels = shape[axis]
        bias = [0.1 * (c % 3 - 1) for c in range(channels)]
        if not self.int8:
            w = self._tensor(name, shape, "FLOAT32", self._buffer("f", values))
            b = self._tensor(name + "_bias", [channels], "FLOAT32", self._buffer("f", bias))
            return w, b
        scales = [0.9 / 127.0] * channels
        q = [max(-127, min(127, round(v / scales[0]))) for v in values]
        w = self._tensor(name, shape, "INT8", self._buffer("b", q),
                         {"scale": scales, "zero_point": [0] * channels, "quantized_dimension": axis})
        bq = [round(v / (in_scale * scales[c])) for c, v in enumerate(bias)]
        b = self._tensor(name + "_bias", [channels], "INT32", self._buffer("i", bq),
                         {"scale": [in_scale * s for s in scales], "zero_point": [0] * channels})
        return w, b

    def const(self, name, shape, values, fmt="i", ttype="INT32"):
        return self._tensor(name, shape, ttype, self._buffer(fmt, values))

    def op(self, code, inputs, outputs, options_type=None, options=None):
        if code not in self.codes:
            self.codes.append(code)
        o = {"opcode_index": self.codes.index(code), "inputs": inputs, "outputs": outputs}
        if options_type:
            o["builtin_options_type"] = options_type
            o["builtin_options"] = options or {}
        self.ops.append(o)

    def json(self, inputs, outputs):
        return {"version": 3,
                "operator_codes": [{"deprecated_builtin_code": min(CODES[c], 127), "builtin_code": CODES[c]}
                                   for c in self.codes],
                "subgraphs": [{"tensors": self.tensors, "inputs": inputs, "outputs": outputs,
                               "operators": self.ops, "name": "main"}],
                "description": "mote fuzz seed",
                "buffers": self.buffers}


def fully_connected(int8):
    m = Model(int8)
    x = m.act("x", [1, 8])
    w, b = m.weights("w", [4, 8], 0)
    h = m.act("h", [1, 4])
    m.op("FULLY_CONNECTED", [x, w, b], [h], "FullyConnectedOptions", {"fused_activation_function": "RELU"})
    y = m.act("y", [1, 4], 1.0 / 256, -128)
    m.op("SOFTMAX", [h], [y], "SoftmaxOptions", {"beta": 1.0})
    return m.json([x], [y])


def convolution(int8, pool):
    m = Model(int8)
    x = m.act("x", [1, 6, 6, 2])
    w, b = m.weights("conv", [4, 3, 3, 2], 0)
    c = m.act("c", [1, 6, 6, 4])
    m.op("CONV_2D", [x, w, b], [c], "Conv2DOptions",
         {"padding": "SAME", "stride_w": 1, "stride_h": 1, "fused_activation_function": "RELU6"})
    dw, db = m.weights("dw", [1, 3, 3, 4], 3)
    d = m.act("d", [1, 2, 2, 4])
    m.op("DEPTHWISE_CONV_2D", [c, dw, db], [d], "DepthwiseConv2DOptions",
         {"padding": "VALID", "stride_w": 2, "stride_h": 2, "depth_multiplier": 1})
    p = m.act("p", [1, 1, 1, 4])
    if pool == "MEAN":
        axes = m.const("axes", [2], [1, 2])
        m.op("MEAN", [d, axes], [p], "ReducerOptions", {"keep_dims": True})
    else:
        m.op(pool, [d], [p], "Pool2DOptions",
             {"padding": "VALID", "stride_w": 2, "stride_h": 2, "filter_width": 2, "filter_height": 2})
    shape = m.const("shape", [2], [1, 4])
    y = m.act("y", [1, 4])
    m.op("RESHAPE", [p, shape], [y], "ReshapeOptions", {"new_shape": [1, 4]})
    return m.json([x], [y])


def elementwise(int8):
    m = Model(int8)
    x = m.act("x", [1, 2, 2, 3])
    a = m.act("a", [1, 2, 2, 3], 0.1)
    m.op("ADD", [x, x], [a], "AddOptions", {"fused_activation_function": "NONE"})
    mu = m.act("mu", [1, 2, 2, 3], 0.2)
    m.op("MUL", [a, x], [mu], "MulOptions", {})
    if int8:
        k = m._tensor("k", [3], "INT8", m._buffer("b", [2, -5, 9]), {"scale": [0.2], "zero_point": [0]})
    else:
        k = m.const("k", [3], [0.4, -1.0, 1.8], "f", "FLOAT32")
    s = m.act("s", [1, 2, 2, 3], 0.2)
    m.op("SUB", [mu, k], [s], "SubOptions", {"fused_activation_function": "RELU_N1_TO_1"})
    sg = m.act("sg", [1, 2, 2, 3], 1.0 / 256, -128)
    m.op("LOGISTIC", [s], [sg])
    th = m.act("th", [1, 2, 2, 3], 1.0 / 128, 0)
    m.op("TANH", [sg], [th])
    hs = m.act("hs", [1, 2, 2, 3], 0.01)
    m.op("HARD_SWISH", [th], [hs], "HardSwishOptions", {})
    lr = m.act("lr", [1, 2, 2, 3], 0.01)
    m.op("LEAKY_RELU", [hs], [lr], "LeakyReluOptions", {"alpha": 0.1})
    r6 = m.act("r6", [1, 2, 2, 3], 0.01)
    m.op("RELU6", [lr], [r6])
    r1 = m.act("r1", [1, 2, 2, 3], 0.01)
    m.op("RELU_N1_TO_1", [r6], [r1])
    y = m.act("y", [1, 2, 2, 3], 0.01)
    m.op("RELU", [r1], [y])
    return m.json([x], [y])


def tensor_ops(int8):
    m = Model(int8)
    x = m.act("x", [1, 2, 2, 3])
    pads = m.const("pads", [4, 2], [0, 0, 1, 1, 1, 1, 0, 0])
    p = m.act("p", [1, 4, 4, 3])
    m.op("PAD", [x, pads], [p], "PadOptions", {})
    perm = m.const("perm", [4], [0, 2, 1, 3])
    t = m.act("t", [1, 4, 4, 3])
    m.op("TRANSPOSE", [p, perm], [t], "TransposeOptions", {})
    c = m.act("c", [1, 4, 4, 6])
    m.op("CONCATENATION", [t, p], [c], "ConcatenationOptions", {"axis": 3})
    pads2 = m.const("pads2", [4, 2], [0, 0, 0, 1, 1, 0, 0, 0])
    if int8:
        value = m._tensor("value", [], "INT8", m._buffer("b", [3]), {"scale": [0.05], "zero_point": [0]})
    else:
        value = m.const("value", [], [0.5], "f", "FLOAT32")
    v = m.act("v", [1, 5, 5, 6])
    m.op("PADV2", [c, pads2, value], [v], "PadOptions", {})
    axes = m.const("axes", [2], [1, 2])
    mean = m.act("mean", [1, 1, 1, 6])
    m.op("MEAN", [v, axes], [mean], "ReducerOptions", {"keep_dims": True})
    y = m.act("y", [1, 6])
    m.op("SQUEEZE", [mean], [y], "SqueezeOptions", {"squeeze_dims": [1, 2]})
    return m.json([x], [y])


def quantize_wrapper():
    m = Model(True)
    x = m._tensor("x", [1, 8], "FLOAT32")
    q = m.act("q", [1, 8])
    m.op("QUANTIZE", [x], [q], "QuantizeOptions", {})
    w, b = m.weights("w", [3, 8], 0)
    h = m.act("h", [1, 3], 0.1, 5)
    m.op("FULLY_CONNECTED", [q, w, b], [h], "FullyConnectedOptions", {})
    y = m._tensor("y", [1, 3], "FLOAT32")
    m.op("DEQUANTIZE", [h], [y], "DequantizeOptions", {})
    return m.json([x], [y])


def lstm():
    """UNIDIRECTIONAL_SEQUENCE_LSTM (float32, batch-major, peepholes): 24 inputs, two variable states."""
    m = Model(False)
    steps, inputs, cells = 3, 2, 3

    def values(n, k):
        return [((j * 37 + k * 11) % 19 - 9) / 20.0 for j in range(n)]

    def const(name, shape, k):
        return m.const(name, shape, values(int(np.prod(shape)), k), "f", "FLOAT32")

    x = m.act("x", [1, steps, inputs])
    w = [const("w%d" % g, [cells, inputs], g) for g in range(4)]
    r = [const("r%d" % g, [cells, cells], g + 4) for g in range(4)]
    p = [const("p%d" % g, [cells], g + 8) for g in range(3)]
    b = [const("b%d" % g, [cells], g + 11) for g in range(4)]
    states = [m._tensor(name, [1, cells], "FLOAT32") for name in ("h_state", "c_state")]
    for t in states:
        m.tensors[t]["is_variable"] = True
    y = m.act("y", [1, steps, cells])
    m.op("UNIDIRECTIONAL_SEQUENCE_LSTM", [x] + w + r + p + b + [-1, -1] + states + [-1] * 4, [y],
         "UnidirectionalSequenceLSTMOptions", {"fused_activation_function": "TANH"})
    return m.json([x], [y])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    models = {"quantize_fc_dequantize_int8": quantize_wrapper(), "lstm_float32": lstm()}
    for int8 in (False, True):
        kind = "int8" if int8 else "float32"
        models["fully_connected_" + kind] = fully_connected(int8)
        for pool in ("AVERAGE_POOL_2D", "MAX_POOL_2D", "MEAN"):
            models["conv_%s_%s" % (pool.lower(), kind)] = convolution(int8, pool)
        models["elementwise_" + kind] = elementwise(int8)
        models["tensor_ops_" + kind] = tensor_ops(int8)
    for name, model in models.items():
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(model, f, indent=1)
        if name.endswith("float32"):
            # Calibration rows for converting the float models to int8 / int16.
            sub = model["subgraphs"][0]
            shape = sub["tensors"][sub["inputs"][0]]["shape"][1:]
            rows = np.linspace(-2.0, 2.0, 4 * int(np.prod(shape)), dtype=np.float32).reshape([4] + shape)
            np.save(os.path.join(out, name + ".calib.npy"), rows)


if __name__ == "__main__":
    main()
