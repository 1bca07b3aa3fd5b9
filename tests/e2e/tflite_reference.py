"""An independent oracle for imported int8 TFLite models: TFLite's *reference*
integer arithmetic, in numpy, straight from the .tflite file.

Nothing here goes through modelc or the mote runtime. The .tflite file is read
with a small flatbuffer reader (field ids of TFLite's public schema.fbs); the
requantization parameters are computed the way TFLite (Micro)'s Prepare
functions compute them, and the kernels follow tensorflow/lite/kernels/internal/
reference/integer_ops and common.h (the default double rounding, not
TFLITE_SINGLE_ROUNDING). Where TFLite rounds through float32 this does too:
numpy float32 scalars round like C floats.

Ops: FULLY_CONNECTED, CONV_2D, DEPTHWISE_CONV_2D (int8, per-tensor or
per-channel, fused activation), AVERAGE_POOL_2D, ADD, RESHAPE, QUANTIZE and
DEQUANTIZE. Anything else raises Unsupported (callers compare only up to it).

Only the standard library and numpy.
"""
import math
import struct

import numpy as np

# BuiltinOperator codes (schema.fbs).
ADD, AVERAGE_POOL_2D, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE = 0, 1, 3, 4, 6
FULLY_CONNECTED, RESHAPE, SOFTMAX, QUANTIZE = 9, 22, 25, 114
OP_NAMES = {ADD: "ADD", AVERAGE_POOL_2D: "AVERAGE_POOL_2D", CONV_2D: "CONV_2D",
            DEPTHWISE_CONV_2D: "DEPTHWISE_CONV_2D", DEQUANTIZE: "DEQUANTIZE",
            FULLY_CONNECTED: "FULLY_CONNECTED", RESHAPE: "RESHAPE", SOFTMAX: "SOFTMAX",
            QUANTIZE: "QUANTIZE"}
# TensorType.
FLOAT32, INT32, INT8 = 0, 2, 9
NUMPY_TYPE = {FLOAT32: np.float32, INT32: np.int32, INT8: np.int8, 3: np.uint8, 4: np.int64, 7: np.int16}
# ActivationFunctionType.
ACT_NONE, ACT_RELU, ACT_RELU_N1_TO_1, ACT_RELU6 = 0, 1, 2, 3

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


class Unsupported(Exception):
    pass


# ---------------------------------------------------------------------------
# A minimal flatbuffer reader.

class Table:
    def __init__(self, buf, pos):
        self.buf, self.pos = buf, pos
        vt = pos - struct.unpack_from("<i", buf, pos)[0]
        vt_len = struct.unpack_from("<H", buf, vt)[0]
        self.fields = [struct.unpack_from("<H", buf, vt + 4 + 2 * i)[0] for i in range((vt_len - 4) // 2)]

    def _off(self, fid):
        return self.fields[fid] if fid < len(self.fields) else 0

    def scalar(self, fid, fmt, default=0):
        o = self._off(fid)
        return struct.unpack_from("<" + fmt, self.buf, self.pos + o)[0] if o else default

    def _target(self, fid):
        o = self._off(fid)
        if not o:
            return None
        p = self.pos + o
        return p + struct.unpack_from("<I", self.buf, p)[0]

    def table(self, fid):
        t = self._target(fid)
        return None if t is None else Table(self.buf, t)

    def vector(self, fid, dtype):
        """A vector of scalars as a numpy array (None if absent)."""
        t = self._target(fid)
        if t is None:
            return None
        n = struct.unpack_from("<I", self.buf, t)[0]
        return np.frombuffer(self.buf, dtype=np.dtype(dtype).newbyteorder("<"), count=n, offset=t + 4)

    def tables(self, fid):
        t = self._target(fid)
        if t is None:
            return []
        n = struct.unpack_from("<I", self.buf, t)[0]
        out = []
        for i in range(n):
            p = t + 4 + 4 * i
            out.append(Table(self.buf, p + struct.unpack_from("<I", self.buf, p)[0]))
        return out

    def string(self, fid):
        t = self._target(fid)
        if t is None:
            return ""
        n = struct.unpack_from("<I", self.buf, t)[0]
        return bytes(self.buf[t + 4:t + 4 + n]).decode("utf-8", "replace")


class Tensor:
    def __init__(self, t, buffers):
        self.shape = [int(d) for d in (t.vector(0, np.int32) if t.vector(0, np.int32) is not None else [])]
        self.type = t.scalar(1, "b")
        self.name = t.string(3)
        q = t.table(4)
        self.scale = np.zeros(0, np.float32)
        self.zero_point = np.zeros(0, np.int64)
        self.quantized_dimension = 0
        if q is not None:
            s, z = q.vector(2, np.float32), q.vector(3, np.int64)
            self.scale = np.array(s if s is not None else [], np.float32)
            self.zero_point = np.array(z if z is not None else [], np.int64)
            self.quantized_dimension = q.scalar(6, "i")
        self.data = None
        b = buffers[t.scalar(2, "I")]
        raw = b.vector(0, np.uint8)
        if raw is not None and len(raw):
            self.data = np.frombuffer(raw.tobytes(), NUMPY_TYPE[self.type]).reshape(self.shape)

    # TfLiteTensor.params: the first scale and zero point.
    @property
    def s(self):
        return np.float32(self.scale[0])

    @property
    def zp(self):
        return int(self.zero_point[0])


class Operator:
    def __init__(self, t, codes):
        self.code = codes[t.scalar(0, "I")]
        self.inputs = [int(i) for i in t.vector(1, np.int32)]
        self.outputs = [int(i) for i in t.vector(2, np.int32)]
        self.options = t.table(4)  # builtin_options (union value; type at field 3)

    def opt(self, fid, fmt, default=0):
        return self.options.scalar(fid, fmt, default) if self.options is not None else default


class Model:
    def __init__(self, path):
        with open(path, "rb") as f:
            buf = f.read()
        if buf[4:8] != b"TFL3":
            raise ValueError("%s is not a TFLite flatbuffer" % path)
        root = Table(buf, struct.unpack_from("<I", buf, 0)[0])
        codes = []
        for c in root.tables(1):
            # TFLite's GetBuiltinCode: the larger of the deprecated and the new field.
            codes.append(max(c.scalar(0, "b"), c.scalar(3, "i")))
        buffers = root.tables(4)
        sg = root.tables(2)[0]
        self.tensors = [Tensor(t, buffers) for t in sg.tables(0)]
        self.inputs = [int(i) for i in sg.vector(1, np.int32)]
        self.outputs = [int(i) for i in sg.vector(2, np.int32)]
        self.operators = [Operator(o, codes) for o in sg.tables(3)]


# ---------------------------------------------------------------------------
# Requantization parameters (tensorflow/lite/kernels/internal/quantization_util.cc,
# kernels/kernel_util.cc, micro/kernels/*_common.cc).

def round_half_away(x):
    """std::round / TfLiteRound on a double or float (halves away from zero)."""
    return math.copysign(math.floor(abs(x) + 0.5), x)


def quantize_multiplier(m):
    """QuantizeMultiplier(double): (Q31 multiplier, shift), shift > 0 = left."""
    m = float(m)
    if m == 0.0:
        return 0, 0
    q, shift = math.frexp(m)
    fixed = int(round_half_away(q * float(1 << 31)))
    if fixed == 1 << 31:
        fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return fixed, shift


def fc_per_tensor_real_multiplier(s_in, s_w, s_out, float_product=True):
    """GetQuantizedConvolutionMultipler: the scales' product in float32, then
    divided in double. float_product=False gives the double product (what
    PopulateConvolutionQuantizationParams uses for convolutions)."""
    if float_product:
        product = float(np.float32(s_in) * np.float32(s_w))  # a float32 multiply
    else:
        product = float(s_in) * float(s_w)
    return product / float(s_out)


def per_channel_real_multipliers(s_in, s_w, s_out):
    """PopulateConvolutionQuantizationParams: double(s_in) * double(s_w[c]) / double(s_out)."""
    return [float(s_in) * float(w) / float(s_out) for w in s_w]


def quantize_float(scale, zero_point, f):
    """kernel_util.cc's Quantize: zero_point + TfLiteRound(f / scale), all in float32."""
    return zero_point + int(round_half_away(np.float32(np.float32(f) / np.float32(scale))))


def activation_range(act, out):
    """CalculateActivationRangeQuantized for an int8 output."""
    qmin, qmax = -128, 127
    s, zp = out.s, out.zp
    if act == ACT_RELU:
        return max(qmin, quantize_float(s, zp, 0.0)), qmax
    if act == ACT_RELU6:
        return max(qmin, quantize_float(s, zp, 0.0)), min(qmax, quantize_float(s, zp, 6.0))
    if act == ACT_RELU_N1_TO_1:
        return max(qmin, quantize_float(s, zp, -1.0)), min(qmax, quantize_float(s, zp, 1.0))
    if act == ACT_NONE:
        return qmin, qmax
    raise Unsupported("fused activation %d" % act)


# ---------------------------------------------------------------------------
# Fixed-point arithmetic (gemmlowp fixedpoint.h, TFLite internal/common.h), on
# int64 numpy arrays holding int32 values.

def _wrap32(x):
    return ((x + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def saturating_rounding_doubling_high_mul(a, b):
    a = np.asarray(a, np.int64)
    overflow = (a == INT32_MIN) & (b == INT32_MIN)
    ab = a * np.int64(b)
    nudge = np.where(ab >= 0, np.int64(1 << 30), np.int64(1 - (1 << 30)))
    s = ab + nudge
    # C's int64 division truncates toward zero.
    q = np.where(s >= 0, s >> 31, -((-s) >> 31))
    return np.where(overflow, np.int64(INT32_MAX), q)


def rounding_divide_by_pot(x, exponent):
    x = np.asarray(x, np.int64)
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0).astype(np.int64)
    return (x >> exponent) + (remainder > threshold).astype(np.int64)


def multiply_by_quantized_multiplier(x, multiplier, shift):
    """The double-rounding MultiplyByQuantizedMultiplier; x an int32-valued array;
    multiplier and shift scalars or arrays broadcasting against x."""
    x = np.asarray(x, np.int64)
    multiplier = np.asarray(multiplier, np.int64)
    shift = np.asarray(shift, np.int64)
    left = np.where(shift > 0, shift, 0)
    right = np.where(shift > 0, 0, -shift)
    shifted = _wrap32(x * (np.int64(1) << left))  # int32 arithmetic
    y = saturating_rounding_doubling_high_mul(shifted, multiplier)
    if right.ndim == 0:
        return rounding_divide_by_pot(y, int(right))
    y, right = np.broadcast_arrays(y, right)
    out = np.empty_like(y)
    for r in np.unique(right):
        sel = right == r
        out[sel] = rounding_divide_by_pot(y[sel], int(r))
    return out


def _check_int32(acc, what):
    if acc.size and (acc.min() < INT32_MIN or acc.max() > INT32_MAX):
        raise Unsupported("%s: int32 accumulator overflow" % what)


# ---------------------------------------------------------------------------
# Kernels (reference_integer_ops), each int8 -> int8.

def _requantize(acc, mult, shift, out_zp, act_min, act_max):
    y = multiply_by_quantized_multiplier(acc, mult, shift) + out_zp
    return np.clip(y, act_min, act_max).astype(np.int8)


def _channel_params(inp, w, out, float_product_per_tensor):
    """(multipliers, shifts) per output channel, as the kernel's Prepare does."""
    if len(w.scale) > 1:
        reals = per_channel_real_multipliers(inp.s, w.scale, out.s)
    elif float_product_per_tensor is None:  # conv/depthwise per-tensor: double product, broadcast
        reals = per_channel_real_multipliers(inp.s, w.scale[:1], out.s)
    else:
        reals = [fc_per_tensor_real_multiplier(inp.s, w.s, out.s, float_product_per_tensor)]
    q = [quantize_multiplier(r) for r in reals]
    return np.array([m for m, _ in q], np.int64), np.array([s for _, s in q], np.int64)


def fully_connected(x, inp, w, b, out, act, float_product=True):
    if w.data is None:
        raise Unsupported("FULLY_CONNECTED with non-constant weights")
    if np.any(w.zero_point != 0):
        raise Unsupported("FULLY_CONNECTED weights with a zero point")
    depth = w.shape[-1]
    x = x.reshape(-1, depth).astype(np.int64) - inp.zp  # + input_offset
    acc = x @ w.data.reshape(-1, depth).astype(np.int64).T
    if b is not None:
        acc = acc + b.data.astype(np.int64)
    _check_int32(acc, "FULLY_CONNECTED")
    if len(w.scale) > 1:  # FullyConnectedPerChannel: double products
        mult, shift = _channel_params(inp, w, out, None)
    else:
        mult, shift = _channel_params(inp, w, out, float_product)
        mult, shift = mult[0], shift[0]
    lo, hi = activation_range(act, out)
    return _requantize(acc, mult, shift, out.zp, lo, hi)


def _pad_amounts(padding, size, k, stride, dilation):
    """ComputePaddingHeightWidth: SAME (0) or VALID (1); returns (out, pad_before)."""
    eff = (k - 1) * dilation + 1
    if padding == 0:
        o = (size + stride - 1) // stride
    else:
        o = (size + stride - eff) // stride
    total = max((o - 1) * stride + eff - size, 0)
    return o, total // 2


def _windows(x, kh, kw, sh, sw, dh, dw, padding, pad_value):
    """x [N,H,W,C] -> patches [N,OH,OW,kh,kw,C] with pad_value outside, and a mask."""
    n, h, wd, c = x.shape
    oh, ph = _pad_amounts(padding, h, kh, sh, dh)
    ow, pw = _pad_amounts(padding, wd, kw, sw, dw)
    big_h = (oh - 1) * sh + (kh - 1) * dh + 1
    big_w = (ow - 1) * sw + (kw - 1) * dw + 1
    xp = np.full((n, max(big_h, h + ph), max(big_w, wd + pw), c), pad_value, np.int64)
    xp[:, ph:ph + h, pw:pw + wd, :] = x
    mask = np.zeros(xp.shape[1:3], bool)
    mask[ph:ph + h, pw:pw + wd] = True
    patches = np.empty((n, oh, ow, kh, kw, c), np.int64)
    inside = np.empty((oh, ow, kh, kw), bool)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dh, i * dh + (oh - 1) * sh + 1, sh)
            cols = slice(j * dw, j * dw + (ow - 1) * sw + 1, sw)
            patches[:, :, :, i, j, :] = xp[:, rows, cols, :]
            inside[:, :, i, j] = mask[rows, cols]
    return patches, inside


def conv_2d(x, inp, w, b, out, op):
    padding, sw, sh = op.opt(0, "b"), op.opt(1, "i"), op.opt(2, "i")
    act, dw, dh = op.opt(3, "b"), op.opt(4, "i", 1), op.opt(5, "i", 1)
    oc, kh, kw, ic = w.shape
    if x.shape[-1] != ic:
        raise Unsupported("grouped CONV_2D")
    # Padding holds the input zero point, so (x - zp) is 0 there: the
    # reference kernel skips those taps, which adds the same nothing.
    patches, _ = _windows(x.astype(np.int64), kh, kw, sh, sw, dh, dw, padding, inp.zp)
    patches = patches - inp.zp
    n, oh, ow = patches.shape[:3]
    acc = patches.reshape(n * oh * ow, -1) @ w.data.reshape(oc, -1).astype(np.int64).T
    if b is not None:
        acc = acc + b.data.astype(np.int64)
    _check_int32(acc, "CONV_2D")
    mult, shift = _channel_params(inp, w, out, None)
    lo, hi = activation_range(act, out)
    return _requantize(acc, mult, shift, out.zp, lo, hi).reshape(n, oh, ow, oc)


def depthwise_conv_2d(x, inp, w, b, out, op):
    padding, sw, sh = op.opt(0, "b"), op.opt(1, "i"), op.opt(2, "i")
    mult_depth, act = op.opt(3, "i"), op.opt(4, "b")
    dw, dh = op.opt(5, "i", 1), op.opt(6, "i", 1)
    _, kh, kw, oc = w.shape
    ic = x.shape[-1]
    if mult_depth == 0:
        mult_depth = oc // ic
    if ic * mult_depth != oc:
        raise Unsupported("DEPTHWISE_CONV_2D channel count")
    patches, _ = _windows(x.astype(np.int64), kh, kw, sh, sw, dh, dw, padding, inp.zp)
    patches = np.repeat(patches - inp.zp, mult_depth, axis=-1)  # output channel ic*m + k reads input ic
    acc = np.einsum("nhwijc,ijc->nhwc", patches, w.data.reshape(kh, kw, oc).astype(np.int64))
    if b is not None:
        acc = acc + b.data.astype(np.int64)
    _check_int32(acc, "DEPTHWISE_CONV_2D")
    mult, shift = _channel_params(inp, w, out, None)
    lo, hi = activation_range(act, out)
    return _requantize(acc, mult, shift, out.zp, lo, hi)


def average_pool_2d(x, inp, out, op):
    padding, sw, sh = op.opt(0, "b"), op.opt(1, "i"), op.opt(2, "i")
    fw, fh, act = op.opt(3, "i"), op.opt(4, "i"), op.opt(5, "b")
    if inp.s != out.s or inp.zp != out.zp:
        raise Unsupported("AVERAGE_POOL_2D with different in/out quantization")
    patches, inside = _windows(x.astype(np.int64), fh, fw, sh, sw, 1, 1, padding, 0)
    total = patches.sum(axis=(3, 4))
    count = inside.sum(axis=(2, 3))[None, :, :, None].astype(np.int64)  # only the taps inside
    # (sum > 0 ? sum + count/2 : sum - count/2) / count, C division truncating.
    half = count // 2
    num = np.where(total > 0, total + half, total - half)
    avg = np.where(num >= 0, num // count, -((-num) // count))
    lo, hi = activation_range(act, out)
    return np.clip(avg, lo, hi).astype(np.int8)


def add(x1, x2, in1, in2, out, op):
    """micro/kernels/add_common.cc CalculateOpDataAdd + reference_integer_ops::Add."""
    act = op.opt(0, "b")
    left_shift = 20
    twice_max = 2.0 * float(max(in1.s, in2.s))
    real1 = float(in1.s) / twice_max
    real2 = float(in2.s) / twice_max
    real_out = twice_max / (float(1 << left_shift) * float(out.s))
    m1, s1 = quantize_multiplier(real1)  # QuantizeMultiplierSmallerThanOneExp: the same numbers
    m2, s2 = quantize_multiplier(real2)
    mo, so = quantize_multiplier(real_out)
    a = (np.asarray(x1, np.int64) - in1.zp) * (1 << left_shift)
    b = (np.asarray(x2, np.int64) - in2.zp) * (1 << left_shift)
    a = multiply_by_quantized_multiplier(a, m1, s1)
    b = multiply_by_quantized_multiplier(b, m2, s2)
    s = multiply_by_quantized_multiplier(a + b, mo, so) + out.zp
    lo, hi = activation_range(act, out)
    return np.clip(s, lo, hi).astype(np.int8)


def quantize(x, out):
    """QUANTIZE float32 -> int8 (reference_ops::AffineQuantize): zp +
    TfLiteRound(x / float(scale)), the division and the rounding in float32,
    clamped. (One TFLM revision truncated x / scale + 0.5 instead.)"""
    if out.type != INT8:
        raise Unsupported("QUANTIZE to type %d" % out.type)
    v = np.asarray(x, np.float32) / np.float32(out.s)
    r = np.trunc(v)  # std::round(float): halves away from zero (v - r is exact)
    r = r + np.sign(v) * (np.abs(v - r) >= np.float32(0.5))
    return np.clip(r.astype(np.int64) + out.zp, -128, 127).astype(np.int8)


def dequantize(x, inp):
    """DEQUANTIZE int8 -> float32: scale * (x - zp), in float32."""
    return (np.float32(inp.s) * (np.asarray(x, np.int64) - inp.zp).astype(np.float32)).astype(np.float32)


# ---------------------------------------------------------------------------

def run(model, x, fc_float_product=True, stop_before=None):
    """Runs the model's subgraph on x (the model's input type, batch-first: N
    rows of the input shape, or exactly the input shape) and returns the values
    of every tensor it computed, {tensor index: array with the batch first}.

    fc_float_product=False computes a per-tensor FULLY_CONNECTED multiplier from
    the double product of the scales instead of TFLite's float32 product.
    stop_before: an op code; the run stops at the first op of that code.
    Raises Unsupported at any other op it does not implement."""
    t = model.tensors
    inp = model.inputs[0]
    shape = t[inp].shape
    x = np.asarray(x)
    if list(x.shape) == shape:
        batch = 1
    else:
        batch = x.shape[0]
        if list(x.shape[1:]) != shape[1:]:
            raise ValueError("input shape %s does not fit %s" % (list(x.shape), shape))
    # The batched value of a tensor: [batch, *shape[1:]] (shape[0] is 1 in these models).
    vals = {inp: x.reshape([batch] + shape[1:])}

    def const_or_val(i):
        if i in vals:
            return vals[i]
        if t[i].data is not None:
            return t[i].data
        raise Unsupported("tensor %d '%s' has no value" % (i, t[i].name))

    for op in model.operators:
        if stop_before is not None and op.code == stop_before:
            break
        i0 = op.inputs[0]
        o = op.outputs[0]
        name = OP_NAMES.get(op.code, "op %d" % op.code)
        if op.code not in (QUANTIZE, DEQUANTIZE, RESHAPE) and t[i0].type != INT8:
            raise Unsupported("%s on type %d" % (name, t[i0].type))
        if op.code == FULLY_CONNECTED:
            b = t[op.inputs[2]] if len(op.inputs) > 2 and op.inputs[2] >= 0 else None
            y = fully_connected(vals[i0], t[i0], t[op.inputs[1]], b, t[o], op.opt(0, "b"), fc_float_product)
            y = y.reshape([batch] + t[o].shape[1:])
        elif op.code == CONV_2D:
            b = t[op.inputs[2]] if len(op.inputs) > 2 and op.inputs[2] >= 0 else None
            y = conv_2d(vals[i0], t[i0], t[op.inputs[1]], b, t[o], op)
        elif op.code == DEPTHWISE_CONV_2D:
            b = t[op.inputs[2]] if len(op.inputs) > 2 and op.inputs[2] >= 0 else None
            y = depthwise_conv_2d(vals[i0], t[i0], t[op.inputs[1]], b, t[o], op)
        elif op.code == AVERAGE_POOL_2D:
            y = average_pool_2d(vals[i0], t[i0], t[o], op)
        elif op.code == ADD:
            i1 = op.inputs[1]
            if t[i0].shape != t[i1].shape:
                raise Unsupported("broadcasting ADD")
            y = add(const_or_val(i0), const_or_val(i1), t[i0], t[i1], t[o], op)
        elif op.code == RESHAPE:
            y = vals[i0].reshape([batch] + t[o].shape[1:])
        elif op.code == QUANTIZE:
            if t[i0].type != FLOAT32:
                raise Unsupported("QUANTIZE from type %d" % t[i0].type)
            y = quantize(vals[i0], t[o])
        elif op.code == DEQUANTIZE:
            if t[i0].type != INT8:
                raise Unsupported("DEQUANTIZE from type %d" % t[i0].type)
            y = dequantize(vals[i0], t[i0])
        else:
            raise Unsupported(name)
        vals[o] = y
    return vals


def self_check():
    """Known values of the fixed-point primitives and QuantizeMultiplier; raises on a slip."""
    srdhm = lambda a, b: int(saturating_rounding_doubling_high_mul(np.int64(a), b))  # noqa: E731
    assert srdhm(INT32_MIN, INT32_MIN) == INT32_MAX
    assert srdhm(1 << 30, 1 << 30) == 1 << 29
    assert srdhm(-3, 1 << 30) == -1 and srdhm(3, 1 << 30) == 2  # -1.5 -> -1, 1.5 -> 2
    assert [int(rounding_divide_by_pot(v, 1)) for v in (-5, -3, -1, 1, 3, 5)] == [-3, -2, -1, 1, 2, 3]
    assert quantize_multiplier(0.5) == (1 << 30, 0) and quantize_multiplier(1.0) == (1 << 30, 1)
    assert quantize_multiplier(1.0 - 2.0 ** -40) == (1 << 30, 1)  # rounds up to 2^31: halved
    assert quantize_multiplier(2.0 ** -40) == (0, 0)
    assert int(multiply_by_quantized_multiplier(np.int64(100), 1 << 30, 2)) == 200
    assert int(multiply_by_quantized_multiplier(np.int64(-7), 1 << 30, -1)) == -2  # -1.75
    assert round_half_away(2.5) == 3 and round_half_away(-2.5) == -3
