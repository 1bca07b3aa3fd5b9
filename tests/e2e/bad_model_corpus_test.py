#!/usr/bin/python3
"""A corpus of broken ONNX, TFLite and .npy files: every one gets a clear error.

The corpus is generated here, at test time, with python3-onnx, numpy and flatc
(no binary files are committed). Each case runs `modelc convert` (int8 with
calibration and float32 where the model is what is broken) or `mote-sim run`
(.npy inputs) and must give:

  - a non-zero exit, neither a crash (signal, exit >= 128, sanitizer report)
    nor a hang (timeout);
  - a message on stderr, prefixed with the tool's name, that names what is
    wrong: the node / tensor / file and words of the reason;
  - no output file (nor *.tmp* leftovers); a few cases also check that an
    existing output file survives the failed run unchanged.

Rules this test pins down (also stated in README.md, "Broken input is refused"):
  - NaN in any constant (initializers, Constant nodes, TFLite buffers) and
    infinite weights or biases of a multiply-accumulate are refused, naming
    the tensor: such a model is broken (other infinite constants, e.g. a Clip
    bound, are kept);
  - calibration data must be finite: a NaN or Inf sample is refused, naming
    the file and the sample (mote-sim inputs may hold NaN: they quantize to
    the zero point);
  - an empty .npy (0 samples) is refused, both as calibration and as input;
  - Fortran-order, big-endian, complex and object .npy arrays are refused.

Every case's exit code and message go to a table, printed and written to
WORK/bad_model_corpus/messages.md.

    /usr/bin/python3 tests/e2e/bad_model_corpus_test.py --bin build/host/bin --repo . \
        --work /tmp/mote-e2e
"""
import json
import os
import shutil
import struct
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_common as E  # noqa: E402
from bad_input_test import error_problems  # noqa: E402

TIMEOUT = 20
ROWS = []  # (case, exit code, message)


def first_line(text):
    for line in text.strip().splitlines():
        if line.strip():
            return line.strip()
    return ""


class Runner:
    """Runs the tools into an empty output folder and checks the outcome."""

    def __init__(self, a, w):
        self.a = a
        self.w = w
        self.outdir = os.path.join(w, "out")
        os.makedirs(self.outdir)
        self.out_mote = os.path.join(self.outdir, "out.mote")
        self.out_npy = os.path.join(self.outdir, "out.npy")

    def _clean(self):
        for f in os.listdir(self.outdir):
            os.remove(os.path.join(self.outdir, f))

    def _check(self, case, res, tool, words, all_words, keep=()):
        # Paths shown relative to the scratch folder, so the table reads the same anywhere.
        ROWS.append((case, "timeout" if res.rc is None else str(res.rc),
                     first_line(res.err).replace(self.w + os.sep, "")))
        e = error_problems(res, tool, words, all_words)
        if e:
            return e
        left = sorted(f for f in os.listdir(self.outdir) if f not in keep)
        if left:
            return "the failed run left files behind: %s" % left
        return None

    def convert(self, case, model, args, words=(), all_words=(), sentinel=False):
        self._clean()
        sentinel_bytes = b"an earlier output; a failed conversion must leave it alone\n"
        if sentinel:
            with open(self.out_mote, "wb") as f:
                f.write(sentinel_bytes)
        cmd = [self.a.modelc, "convert", model, "-o", self.out_mote,
               "--header", os.path.join(self.outdir, "out.h"),
               "--report", os.path.join(self.outdir, "out.json")] + list(args)
        res = E.run(cmd, timeout=TIMEOUT)
        e = self._check(case, res, "modelc", words, all_words,
                        keep=("out.mote",) if sentinel else ())
        if e:
            return e
        if sentinel and open(self.out_mote, "rb").read() != sentinel_bytes:
            return "the failed conversion changed the existing output file"
        return None

    def sim(self, case, model, inputs, words=(), all_words=()):
        self._clean()
        cmd = [self.a.sim, "run", model, "--output", self.out_npy]
        for i in inputs:
            cmd += ["--input", i]
        res = E.run(cmd, timeout=TIMEOUT)
        return self._check(case, res, "mote-sim", words, all_words)


# --- ONNX ------------------------------------------------------------------

def onnx_corpus(onnx, d):
    """Returns {case: (model bytes or ModelProto, calibration kind, any words,
    all words)}. Calibration kind: "mlp" ([N,4] rows), "conv" ([N,2,5,5]) or
    None (float32 only: the model has no float input to calibrate)."""
    from onnx import TensorProto as T
    from onnx import helper as H
    from onnx import numpy_helper as NH

    rs = np.random.RandomState(7)
    w34 = rs.randn(3, 4).astype(np.float32)
    b3 = rs.randn(3).astype(np.float32)
    wconv = rs.randn(3, 2, 3, 3).astype(np.float32)

    def vi(name, shape, elem=T.FLOAT):
        return H.make_tensor_value_info(name, elem, shape)

    def init(name, a):
        return NH.from_array(np.asarray(a), name)

    def model(nodes, inits, inputs=None, outputs=None, opset=13, domain_opsets=()):
        g = H.make_graph(nodes, "corpus",
                         [vi("x", [1, 4])] if inputs is None else inputs,
                         [vi("y", [1, 3])] if outputs is None else outputs,
                         initializer=inits)
        opsets = [H.make_opsetid("", opset)] + [H.make_opsetid(dm, v) for dm, v in domain_opsets]
        m = H.make_model(g, opset_imports=opsets)
        m.ir_version = 7
        return m

    def gemm(a="x", w="fc_weight", b="fc_bias", out="h", name="fc", **attrs):
        return H.make_node("Gemm", [a, w, b], [out], name=name, transB=1, **attrs)

    relu = H.make_node("Relu", ["h"], ["y"], name="relu")
    good_inits = [init("fc_weight", w34), init("fc_bias", b3)]

    def mlp(nodes=None, inits=None, **kw):
        return model([gemm(), relu] if nodes is None else nodes,
                     good_inits if inits is None else inits, **kw)

    def conv(**attrs):
        n = H.make_node("Conv", ["x", "conv_weight"], ["y"], name="conv", **attrs)
        return model([n], [init("conv_weight", wconv)], inputs=[vi("x", [1, 2, 5, 5])],
                     outputs=[vi("y", None)])

    def with_weight(t):
        return mlp(inits=[t, init("fc_bias", b3)])

    def tensor(name, elem, dims, raw=None, **fields):
        t = T()
        t.name = name
        t.data_type = elem
        t.dims.extend(dims)
        if raw is not None:
            t.raw_data = raw
        for k, v in fields.items():
            getattr(t, k).extend(v)
        return t

    good = mlp()
    cases = {"onnx_control_good_mlp": (good, "mlp", None, None),
             "onnx_control_good_conv": (conv(), "conv", None, None)}
    blob = good.SerializeToString()
    n = len(blob)
    for cut in sorted({1, 2, 16, n // 4, n // 2, 3 * n // 4, n - 3, n - 1}):
        cases["onnx_truncated_at_%d_of_%d" % (cut, n)] = (
            blob[:cut], "mlp", ("not a valid onnx", "truncated", "no graph", "never"), ())
    cases["onnx_empty_file"] = (b"", "mlp", ("not a valid onnx", "empty"), ())
    cases["onnx_random_bytes"] = (bytes(rs.randint(0, 256, 300).astype(np.uint8)), "mlp",
                                  ("not a valid onnx",), ())

    # Element types.
    cases["onnx_string_initializer"] = (
        with_weight(tensor("fc_weight", T.STRING, [3, 4], string_data=[b"a"] * 12)), "mlp",
        ("not supported",), ("fc_weight", "STRING"))
    cases["onnx_float16_initializer"] = (
        with_weight(tensor("fc_weight", T.FLOAT16, [3, 4], raw=w34.astype(np.float16).tobytes())),
        "mlp", ("not supported",), ("fc_weight", "FLOAT16"))
    cases["onnx_complex64_initializer"] = (
        with_weight(tensor("fc_weight", T.COMPLEX64, [3, 4], raw=w34.astype(np.complex64).tobytes())),
        "mlp", ("not supported",), ("fc_weight", "COMPLEX64"))
    cases["onnx_complex64_input"] = (
        mlp(inputs=[vi("x", [1, 4], T.COMPLEX64)]), None, ("not supported",), ("'x'", "COMPLEX64"))
    cases["onnx_int64_input"] = (
        mlp(inputs=[vi("x", [1, 4], T.INT64)]), None, ("not supported",), ("'x'", "INT64"))
    cases["onnx_int_tensor_into_gemm"] = (
        mlp(nodes=[H.make_node("Cast", ["x"], ["xi"], name="to_int", to=T.INT64),
                   gemm(a="xi"), relu]), "mlp", (), ("fc", "Gemm", "xi", "int"))
    cases["onnx_input_without_type"] = (
        mlp(inputs=[H.make_empty_tensor_value_info("x")]), None, (), ("'x'", "tensor"))

    # Graph structure.
    cases["onnx_cycle_two_nodes"] = (
        mlp(nodes=[H.make_node("Add", ["x", "c"], ["a"], name="add_a"),
                   H.make_node("Relu", ["a"], ["c"], name="relu_c"),
                   H.make_node("Gemm", ["a", "fc_weight", "fc_bias"], ["y"], name="fc", transB=1)]),
        "mlp", (), ("cycle", "add_a"))
    cases["onnx_self_loop"] = (
        mlp(nodes=[H.make_node("Add", ["x", "s"], ["s"], name="self_add"), gemm(a="s"), relu]),
        "mlp", (), ("cycle", "self_add"))
    cases["onnx_missing_initializer"] = (
        mlp(inits=[init("fc_bias", b3)]), "mlp", (), ("fc_weight", "'fc'", "never defined"))
    cases["onnx_duplicate_output_two_nodes"] = (
        mlp(nodes=[gemm(), H.make_node("Relu", ["x"], ["h"], name="relu_dup"), relu]),
        "mlp", (), ("'h'", "relu_dup", "defined twice"))
    cases["onnx_node_overwrites_graph_input"] = (
        mlp(nodes=[H.make_node("Relu", ["x"], ["x"], name="relu_x"), gemm(), relu]),
        "mlp", (), ("'x'", "relu_x"))
    cases["onnx_node_overwrites_initializer"] = (
        mlp(nodes=[H.make_node("Relu", ["x"], ["fc_bias"], name="relu_b"), gemm(), relu]),
        "mlp", (), ("fc_bias", "relu_b"))
    cases["onnx_duplicate_graph_input"] = (
        mlp(inputs=[vi("x", [1, 4]), vi("x", [1, 4])]), "mlp", (), ("'x'", "twice"))
    cases["onnx_duplicate_graph_output"] = (
        mlp(outputs=[vi("y", [1, 3]), vi("y", [1, 3])]), "mlp", (), ("'y'", "twice"))
    cases["onnx_duplicate_initializer"] = (
        mlp(inits=good_inits + [init("fc_bias", np.zeros(5, np.float32))]), "mlp", (),
        ("fc_bias", "twice"))
    cases["onnx_no_outputs"] = (mlp(outputs=[]), "mlp", ("no outputs",), ())
    cases["onnx_no_nodes"] = (mlp(nodes=[]), "mlp", (), ("'y'", "never computed"))
    cases["onnx_no_inputs"] = (
        mlp(nodes=[H.make_node("Relu", ["fc_bias"], ["y"], name="relu_c")], inputs=[],
            outputs=[vi("y", [3])]), None, ("no inputs",), ())
    cases["onnx_output_never_computed"] = (
        mlp(outputs=[vi("y", [1, 3]), vi("z", [1, 3])]), "mlp", (), ("'z'", "never computed"))
    cases["onnx_opset_too_new"] = (mlp(opset=99), "mlp", (), ("opset", "99"))
    cases["onnx_opset_zero"] = (mlp(opset=0), "mlp", (), ("opset", "0"))
    cases["onnx_unknown_domain_node"] = (
        mlp(nodes=[gemm(), H.make_node("Relu", ["h"], ["y"], name="relu", domain="com.example")],
            domain_opsets=[("com.example", 1)]),
        "mlp", ("not supported",), ("relu", "com.example"))
    cases["onnx_unknown_op"] = (
        mlp(nodes=[gemm(), H.make_node("FooBar", ["h"], ["y"], name="foo")]),
        "mlp", ("not supported",), ("foo", "FooBar"))

    # Initializer data against its dims.
    cases["onnx_initializer_raw_data_short"] = (
        with_weight(tensor("fc_weight", T.FLOAT, [3, 4], raw=w34.tobytes()[:40])), "mlp",
        (), ("fc_weight", "40 bytes", "48"))
    cases["onnx_initializer_float_data_long"] = (
        with_weight(tensor("fc_weight", T.FLOAT, [3, 4], float_data=[0.5] * 13)), "mlp",
        (), ("fc_weight", "13", "12"))
    cases["onnx_initializer_no_data"] = (
        with_weight(tensor("fc_weight", T.FLOAT, [3, 4])), "mlp", (), ("fc_weight", "0", "12"))

    # Shapes.
    w35 = rs.randn(3, 5).astype(np.float32)
    cases["onnx_gemm_inner_dims_disagree"] = (
        mlp(inits=[init("fc_weight", w35), init("fc_bias", b3)]), "mlp", (),
        ("'fc'", "Gemm", "[1,4]", "[3,5]"))
    cases["onnx_matmul_inner_dims_disagree"] = (
        mlp(nodes=[H.make_node("MatMul", ["x", "mm_weight"], ["y"], name="mm")],
            inits=[init("mm_weight", rs.randn(5, 3).astype(np.float32))]), "mlp",
        ("differ", "match"), ("'mm'", "MatMul", "[1,4]", "[5,3]"))
    cases["onnx_add_not_broadcastable"] = (
        mlp(nodes=[H.make_node("Add", ["x", "addend"], ["y"], name="add")],
            inits=[init("addend", b3)]), "mlp", (), ("'add'", "broadcast", "[1,4]", "[3]"))
    cases["onnx_declared_output_shape_wrong"] = (
        mlp(outputs=[vi("y", [1, 5])]), "mlp", (), ("'y'", "[1,5]", "[1,3]"))
    cases["onnx_declared_output_rank_wrong"] = (
        mlp(outputs=[vi("y", [1, 3, 1])]), "mlp", (), ("'y'", "[1,3,1]", "[1,3]"))
    cases["onnx_reshape_impossible"] = (
        mlp(nodes=[H.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"),
                   H.make_node("Relu", ["r"], ["y"], name="relu")],
            inits=[init("shape", np.array([1, 5], np.int64))]), "mlp", (),
        ("'reshape'", "[1,4]", "[1,5]"))
    cases["onnx_reshape_two_minus_one"] = (
        mlp(nodes=[H.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"),
                   H.make_node("Relu", ["r"], ["y"], name="relu")],
            inits=[init("shape", np.array([-1, -1], np.int64))]), "mlp", (), ("'reshape'", "-1"))
    cases["onnx_bias_wrong_length"] = (
        mlp(inits=[init("fc_weight", w34), init("fc_bias", np.ones(5, np.float32))]), "mlp", (),
        ("'fc'", "broadcast"))

    # Special values in the weights.
    for what, bad in (("nan", np.nan), ("inf", np.inf), ("neg_inf", -np.inf)):
        wb = w34.copy()
        wb[1, 2] = bad
        cases["onnx_%s_weight" % what] = (
            mlp(inits=[init("fc_weight", wb), init("fc_bias", b3)]), "mlp", (),
            ("fc_weight", "nan" if what == "nan" else "inf"))
    bb = b3.copy()
    bb[0] = np.nan
    cases["onnx_nan_bias"] = (mlp(inits=[init("fc_weight", w34), init("fc_bias", bb)]), "mlp", (),
                              ("fc_bias", "nan"))
    cases["onnx_nan_in_constant_node"] = (
        mlp(nodes=[H.make_node("Constant", [], ["k"], name="const_k",
                               value=init("kv", np.array([1.0, np.nan, 2.0, 3.0], np.float32))),
                   H.make_node("Add", ["x", "k"], ["a"], name="add_k"), gemm(a="a"), relu]),
        "mlp", (), ("const_k", "nan"))
    cases["onnx_nan_double_initializer"] = (
        with_weight(tensor("fc_weight", T.DOUBLE, [3, 4], double_data=[float("nan")] * 12)),
        "mlp", (), ("fc_weight", "nan"))

    # Huge, zero and negative dimensions.
    cases["onnx_input_dim_2e40"] = (
        mlp(inputs=[vi("x", [1, 2 ** 40])]), None, (), ("'x'", str(2 ** 40)))
    cases["onnx_input_2e25_elements"] = (
        mlp(nodes=[H.make_node("Relu", ["x"], ["y"], name="relu")], inputs=[vi("x", [1, 2 ** 25])],
            outputs=[vi("y", [1, 2 ** 25])]), None, (), ("'x'", "2^24"))
    cases["onnx_input_dims_product_overflows"] = (
        mlp(inputs=[vi("x", [2 ** 20, 2 ** 20, 2 ** 20, 2 ** 20])]), None, (), ("'x'", "elements"))
    cases["onnx_initializer_1e12_elements_no_data"] = (
        with_weight(tensor("fc_weight", T.FLOAT, [10 ** 6, 10 ** 6])), "mlp", (),
        ("fc_weight", "elements"))
    cases["onnx_initializer_dims_overflow_int64"] = (
        with_weight(tensor("fc_weight", T.FLOAT, [2 ** 31, 2 ** 31, 2 ** 31])), "mlp", (),
        ("fc_weight", "elements"))
    cases["onnx_input_dim_zero"] = (mlp(inputs=[vi("x", [1, 0])]), None, (), ("'x'", "0"))
    cases["onnx_input_dim_negative"] = (mlp(inputs=[vi("x", [1, -4])]), None, (), ("'x'", "-4"))
    cases["onnx_initializer_dim_negative"] = (
        with_weight(tensor("fc_weight", T.FLOAT, [3, -4])), "mlp", (), ("fc_weight", "-4"))
    cases["onnx_initializer_dim_zero"] = (
        mlp(inits=[init("fc_weight", np.zeros((0, 4), np.float32)), init("fc_bias", b3)]), "mlp",
        (), ("fc",))

    # Attributes: wrong type or out of range.
    cases["onnx_conv_kernel_shape_mismatch"] = (
        conv(kernel_shape=[5, 5]), "conv", (), ("'conv'", "kernel_shape", "[5,5]", "[3,3]"))
    cases["onnx_conv_strides_zero"] = (conv(strides=[0, 1]), "conv", (), ("'conv'", "strides"))
    cases["onnx_conv_dilations_zero"] = (conv(dilations=[1, 0]), "conv", (), ("'conv'", "dilations"))
    cases["onnx_conv_negative_pads"] = (conv(pads=[0, -1, 0, 0]), "conv", (), ("'conv'", "pad"))
    cases["onnx_conv_pads_wrong_count"] = (conv(pads=[1, 1]), "conv", (), ("'conv'", "pads"))
    cases["onnx_conv_strides_one_value"] = (conv(strides=[2]), "conv", (), ("'conv'", "strides", "[2]"))
    cases["onnx_conv_group_zero"] = (conv(group=0), "conv", (), ("'conv'", "group"))
    cases["onnx_conv_huge_stride"] = (conv(strides=[2 ** 40, 1]), "conv", (), ("'conv'", "stride"))
    cases["onnx_conv_strides_float_type"] = (
        conv(strides=[1.0, 1.0]), "conv", (), ("'conv'", "strides", "FLOATS"))
    cases["onnx_conv_auto_pad_bogus"] = (
        conv(auto_pad="SOMETIMES"), "conv", (), ("'conv'", "auto_pad", "SOMETIMES"))
    cases["onnx_gemm_transb_string_type"] = (
        mlp(nodes=[H.make_node("Gemm", ["x", "fc_weight", "fc_bias"], ["h"], name="fc",
                               transB="yes"), relu]), "mlp", (), ("'fc'", "transB", "STRING"))
    cases["onnx_transpose_perm_not_permutation"] = (
        mlp(nodes=[H.make_node("Transpose", ["x"], ["t"], name="tr", perm=[0, 0]),
                   H.make_node("Relu", ["t"], ["y"], name="relu")]), "mlp", (),
        ("'tr'", "perm", "permutation"))
    cases["onnx_transpose_perm_wrong_rank"] = (
        mlp(nodes=[H.make_node("Transpose", ["x"], ["t"], name="tr", perm=[1, 0, 2]),
                   H.make_node("Relu", ["t"], ["y"], name="relu")]), "mlp", (), ("'tr'", "perm"))
    cases["onnx_softmax_axis_out_of_range"] = (
        mlp(nodes=[gemm(), H.make_node("Softmax", ["h"], ["y"], name="sm", axis=5)]), "mlp", (),
        ("'sm'", "axis", "5"))
    cases["onnx_concat_axis_out_of_range"] = (
        mlp(nodes=[H.make_node("Concat", ["x", "x"], ["c"], name="cat", axis=-3),
                   H.make_node("Relu", ["c"], ["y"], name="relu")]), "mlp", (), ("'cat'", "axis", "-3"))
    cases["onnx_flatten_axis_out_of_range"] = (
        mlp(nodes=[H.make_node("Flatten", ["x"], ["f"], name="flat", axis=7),
                   H.make_node("Relu", ["f"], ["y"], name="relu")]), "mlp", (), ("'flat'", "axis", "7"))
    cases["onnx_gather_index_out_of_range"] = (
        mlp(nodes=[H.make_node("Gather", ["x", "idx"], ["g"], name="gather", axis=1),
                   H.make_node("Relu", ["g"], ["y"], name="relu")],
            inits=[init("idx", np.array([0, 9], np.int64))]), "mlp", (), ("'gather'", "9"))
    cases["onnx_cast_to_unknown_type"] = (
        mlp(nodes=[H.make_node("Cast", ["x"], ["c"], name="cast", to=99),
                   H.make_node("Relu", ["c"], ["y"], name="relu")]), "mlp", (), ("'cast'", "99"))

    # Indices, axes and ids of the standard ops (the ONNX-ML ones: onnxml_cases).
    def one_op(node, inits=(), out_shape=None, opset=13):
        return mlp(nodes=[node], inits=list(inits), outputs=[vi("y", out_shape)], opset=opset)

    cases["onnx_gather_negative_index_out_of_range"] = (
        one_op(H.make_node("Gather", ["x", "idx"], ["y"], name="gather", axis=1),
               [init("idx", np.array([-5], np.int64))]), "mlp", (), ("'gather'", "-5"))
    cases["onnx_gather_axis_out_of_range"] = (
        one_op(H.make_node("Gather", ["x", "idx"], ["y"], name="gather", axis=2),
               [init("idx", np.array([0], np.int64))]), "mlp", (), ("'gather'", "axis", "2"))
    cases["onnx_gather_empty_indices"] = (
        one_op(H.make_node("Gather", ["x", "idx"], ["y"], name="gather", axis=1),
               [init("idx", np.zeros((0,), np.int64))]), "mlp", (), ("'gather'", "empty"))
    cases["onnx_unsqueeze_axis_out_of_range"] = (
        one_op(H.make_node("Unsqueeze", ["x", "axes"], ["y"], name="unsq"),
               [init("axes", np.array([5], np.int64))]), "mlp", (), ("'unsq'", "axes", "5"))
    cases["onnx_unsqueeze_axis_repeated"] = (
        one_op(H.make_node("Unsqueeze", ["x", "axes"], ["y"], name="unsq"),
               [init("axes", np.array([0, -4], np.int64))]), "mlp", (), ("'unsq'", "repeats"))
    cases["onnx_squeeze_axis_out_of_range"] = (
        one_op(H.make_node("Squeeze", ["x", "axes"], ["y"], name="sq"),
               [init("axes", np.array([3], np.int64))]), "mlp", (), ("'sq'", "axis", "3"))
    cases["onnx_reducemean_axis_out_of_range"] = (
        one_op(H.make_node("ReduceMean", ["x"], ["y"], name="mean", axes=[-3])), "mlp", (),
        ("'mean'", "axis", "-3"))
    cases["onnx_argmax_axis_out_of_range"] = (
        one_op(H.make_node("ArgMax", ["x"], ["y"], name="am", axis=2)), "mlp", (), ("'am'", "axis", "2"))
    # (select_last_index = 1 is supported now: ops/argmax.cc.)
    cases["onnx_argmin_axis_out_of_range"] = (
        one_op(H.make_node("ArgMin", ["x"], ["y"], name="amin", axis=-3, select_last_index=1)), "mlp",
        (), ("'amin'", "axis", "-3"))

    cases.update(onnxml_cases(H, T, init, vi, model))

    for name, (m, calib, words, all_words) in cases.items():
        path = os.path.join(d, name + ".onnx")
        with open(path, "wb") as f:
            f.write(m if isinstance(m, bytes) else m.SerializeToString())
        cases[name] = (path, calib, words, all_words)
    return cases


def onnxml_cases(H, T, init, vi, model):
    """ONNX-ML models whose ids, indices and counts are out of range. Every
    one is a small but otherwise valid model of 4 features (calibration "mlp"):
    one tree, one SVM, one linear classifier, ..."""
    ml = [("ai.onnx.ml", 1)]
    labels_out = [vi("label", [1], T.INT64), vi("probabilities", [1, 3])]

    def tree(op="TreeEnsembleClassifier", **over):
        # Node 0 splits on feature 2; leaves 1 and 2 vote for classes 0 and 1 / 2.
        a = dict(nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[2, 0, 0],
                 nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF"], nodes_values=[0.5, 0.0, 0.0],
                 nodes_truenodeids=[1, 0, 0], nodes_falsenodeids=[2, 0, 0])
        prefix = "class_" if op == "TreeEnsembleClassifier" else "target_"
        a.update({prefix + "treeids": [0, 0, 0], prefix + "nodeids": [1, 2, 2],
                  prefix + "ids": [0, 1, 2], prefix + "weights": [1.0, 1.0, 0.5]})
        if op == "TreeEnsembleClassifier":
            a["classlabels_int64s"] = [0, 1, 2]
            outs = ["label", "probabilities"]
        else:
            a["n_targets"] = 3
            outs = ["y"]
        a.update(over)
        n = H.make_node(op, ["x"], outs, name="trees", domain="ai.onnx.ml", **a)
        return model([n], [], outputs=labels_out if len(outs) == 2 else [vi("y", [1, 3])],
                     domain_opsets=ml)

    cases = {"onnxml_control_good_tree": (tree(), "mlp", None, None),
             "onnxml_control_good_tree_regressor": (tree("TreeEnsembleRegressor"), "mlp", None, None)}
    cases["onnxml_tree_feature_id_out_of_range"] = (
        tree(nodes_featureids=[9, 0, 0]), "mlp", (), ("'trees'", "nodes_featureids[0] = 9", "4 features"))
    cases["onnxml_tree_feature_id_negative"] = (
        tree(nodes_featureids=[-2, 0, 0]), "mlp", (), ("'trees'", "nodes_featureids[0] = -2", "negative"))
    cases["onnxml_tree_feature_id_past_16_bits"] = (
        tree(nodes_featureids=[70000, 0, 0]), "mlp", (), ("'trees'", "nodes_featureids[0] = 70000"))
    cases["onnxml_tree_class_id_out_of_range"] = (
        tree(class_ids=[0, 1, 5]), "mlp", (), ("'trees'", "class_ids[2] = 5", "3 class labels"))
    cases["onnxml_tree_class_id_negative"] = (
        tree(class_ids=[0, -1, 2]), "mlp", (), ("'trees'", "class_ids[1] = -1", "negative"))
    cases["onnxml_tree_target_id_out_of_range"] = (
        tree("TreeEnsembleRegressor", target_ids=[0, 1, 3]), "mlp", (),
        ("'trees'", "target_ids[2] = 3", "n_targets"))
    cases["onnxml_tree_child_missing"] = (
        tree(nodes_truenodeids=[7, 0, 0]), "mlp", (), ("'trees'", "nodes_truenodeids[0] = 7", "no node 7"))
    cases["onnxml_tree_node_defined_twice"] = (
        tree(nodes_nodeids=[0, 1, 1]), "mlp", (), ("'trees'", "nodes_nodeids[2] = 1", "twice"))
    cases["onnxml_tree_no_root"] = (
        tree(nodes_nodeids=[3, 1, 2], class_nodeids=[1, 2, 2]), "mlp", (), ("'trees'", "node 0"))
    cases["onnxml_tree_cycle"] = (
        tree(nodes_treeids=[0, 0, 0, 0], nodes_nodeids=[0, 1, 2, 3], nodes_featureids=[2, 1, 0, 0],
             nodes_modes=["BRANCH_LEQ", "BRANCH_LEQ", "LEAF", "LEAF"], nodes_values=[0.5, 0.1, 0.0, 0.0],
             nodes_truenodeids=[1, 0, 0, 0], nodes_falsenodeids=[2, 3, 0, 0], class_nodeids=[2, 3, 3]),
        "mlp", (), ("'trees'", "cycle"))
    cases["onnxml_tree_weight_on_missing_node"] = (
        tree(class_nodeids=[1, 2, 9]), "mlp", (), ("'trees'", "class_nodeids[2] = 9"))
    cases["onnxml_tree_weight_on_branch"] = (
        tree(class_nodeids=[0, 2, 2]), "mlp", (), ("'trees'", "class_nodeids[0] = 0", "branch"))
    cases["onnxml_tree_weight_in_missing_tree"] = (
        tree(class_treeids=[0, 0, 3]), "mlp", (), ("'trees'", "class_treeids[2] = 3"))
    cases["onnxml_tree_mode_unknown"] = (
        tree(nodes_modes=["BRANCH_SOMETIMES", "LEAF", "LEAF"]), "mlp", (),
        ("'trees'", "nodes_modes[0]", "BRANCH_SOMETIMES"))
    cases["onnxml_tree_lists_differ_in_length"] = (
        tree(nodes_featureids=[2, 0]), "mlp", (), ("'trees'", "nodes_featureids", "2 entries"))

    x4 = np.linspace(-1.0, 1.0, 12).astype(np.float32)

    def svc(**over):
        a = dict(kernel_type="RBF", kernel_params=[0.5, 0.0, 3.0], vectors_per_class=[2, 1],
                 support_vectors=list(x4), coefficients=[1.0, -0.5, -0.5], rho=[0.1],
                 classlabels_int64s=[0, 1])
        a.update(over)
        n = H.make_node("SVMClassifier", ["x"], ["label", "probabilities"], name="svm", domain="ai.onnx.ml", **a)
        return model([n], [], outputs=[vi("label", [1], T.INT64), vi("probabilities", [1, 2])],
                     domain_opsets=ml)

    def svr(**over):
        a = dict(kernel_type="RBF", kernel_params=[0.5, 0.0, 3.0], n_supports=3,
                 support_vectors=list(x4), coefficients=[1.0, -0.5, 0.25], rho=[0.1])
        a.update(over)
        n = H.make_node("SVMRegressor", ["x"], ["y"], name="svr", domain="ai.onnx.ml", **a)
        return model([n], [], outputs=[vi("y", [1, 1])], domain_opsets=ml)

    cases["onnxml_control_good_svc"] = (svc(), "mlp", None, None)
    cases["onnxml_control_good_svr"] = (svr(), "mlp", None, None)
    cases["onnxml_svm_vectors_per_class_sum_wrong"] = (
        svc(vectors_per_class=[2, 2], coefficients=[1.0, -0.5, -0.5, 0.2]), "mlp", (),
        ("'svm'", "support_vectors", "12 values", "vectors_per_class"))
    cases["onnxml_svm_vectors_per_class_count_wrong"] = (
        svc(vectors_per_class=[1, 1, 1]), "mlp", (), ("'svm'", "vectors_per_class", "3 entries"))
    cases["onnxml_svm_vectors_per_class_negative"] = (
        svc(vectors_per_class=[-1, 4]), "mlp", (), ("'svm'", "vectors_per_class[0] = -1"))
    cases["onnxml_svm_coefficients_count_wrong"] = (
        svc(coefficients=[1.0, -0.5]), "mlp", (), ("'svm'", "coefficients", "2 values"))
    cases["onnxml_svr_n_supports_wrong"] = (
        svr(n_supports=5), "mlp", (), ("'svr'", "support_vectors", "n_supports = 5"))
    cases["onnxml_svr_n_supports_negative"] = (
        svr(n_supports=-3), "mlp", (), ("'svr'", "n_supports = -3"))

    def linear(**over):
        a = dict(coefficients=list(np.linspace(-1, 1, 12).astype(np.float32)), intercepts=[0.1, 0.2, 0.3],
                 classlabels_int64s=[0, 1, 2], post_transform="SOFTMAX")
        a.update(over)
        n = H.make_node("LinearClassifier", ["x"], ["label", "probabilities"], name="lin", domain="ai.onnx.ml", **a)
        return model([n], [], outputs=labels_out, domain_opsets=ml)

    cases["onnxml_control_good_linear"] = (linear(), "mlp", None, None)
    cases["onnxml_linear_coefficients_not_a_multiple"] = (
        linear(coefficients=[0.5] * 10), "mlp", (), ("'lin'", "coefficients", "10 values", "4 features"))
    cases["onnxml_linear_rows_disagree_with_labels"] = (
        linear(coefficients=[0.5] * 8, intercepts=[0.0, 0.0]), "mlp", (), ("'lin'", "2 rows", "3 class labels"))
    cases["onnxml_linear_intercepts_count_wrong"] = (
        linear(intercepts=[0.1] * 5), "mlp", (), ("'lin'", "intercepts", "5 values"))

    def afe(idx):
        n = H.make_node("ArrayFeatureExtractor", ["x", "idx"], ["y"], name="afe", domain="ai.onnx.ml")
        return model([n], [init("idx", np.array(idx, np.int64))], outputs=[vi("y", [1, len(idx)])],
                     domain_opsets=ml)

    cases["onnxml_control_good_array_feature_extractor"] = (afe([3, 0]), "mlp", None, None)
    cases["onnxml_array_feature_extractor_index_out_of_range"] = (
        afe([0, 7]), "mlp", (), ("'afe'", "[1] = 7", "4 columns"))
    cases["onnxml_array_feature_extractor_index_negative"] = (
        afe([-1]), "mlp", (), ("'afe'", "[0] = -1"))

    def scaler(**a):
        n = H.make_node("Scaler", ["x"], ["y"], name="scale", domain="ai.onnx.ml", **a)
        return model([n], [], outputs=[vi("y", [1, 4])], domain_opsets=ml)

    cases["onnxml_control_good_scaler"] = (scaler(offset=[0.5], scale=[1, 2, 3, 4]), "mlp", None, None)
    cases["onnxml_scaler_offset_length_wrong"] = (
        scaler(offset=[0.5, 0.5, 0.5], scale=[2.0]), "mlp", (), ("'scale'", "offset", "3 values", "4 features"))
    return cases


# --- TFLite ----------------------------------------------------------------

def tflite_corpus(a, d, flatc):
    """{case: (path, calibration kind, any words, all words)}; calibration kinds:
    "fc8" = [N,8] rows, "conv6" = [N,6,6,2] images, "t223" = [N,2,2,3]."""
    sys.path.insert(0, os.path.join(a.repo, "tests", "fuzz"))
    import tflite_seeds as S  # noqa: E402
    schema = os.path.join(a.repo, "tools", "modelc", "import", "tflite_schema.fbs")
    jsons = {}

    def base(int8=False):
        return json.loads(json.dumps(S.fully_connected(int8)))

    def tensor_index(m, name):
        return [t["name"] for t in m["subgraphs"][0]["tensors"]].index(name)

    jsons["tflite_control_good_fc_float32"] = (base(), "fc8", None, None)
    jsons["tflite_control_good_fc_int8"] = (base(True), "fc8", None, None)

    m = base()
    m["subgraphs"][0]["tensors"][tensor_index(m, "w")]["buffer"] = 99
    jsons["tflite_buffer_index_out_of_range"] = (m, "fc8", (), ("'w'", "buffer 99"))
    m = base()
    buf = m["subgraphs"][0]["tensors"][tensor_index(m, "w")]["buffer"]
    m["buffers"][buf]["data"] = m["buffers"][buf]["data"][:-8]
    jsons["tflite_buffer_wrong_size"] = (m, "fc8", (), ("'w'", "120 bytes", "128"))
    m = base()
    m["subgraphs"][0]["operators"][0]["inputs"][1] = 99
    jsons["tflite_operator_input_out_of_range"] = (m, "fc8", (), ("FULLY_CONNECTED", "99", "input"))
    m = base()
    m["subgraphs"][0]["operators"][1]["outputs"] = [77]
    jsons["tflite_operator_output_out_of_range"] = (m, "fc8", (), ("SOFTMAX", "77", "output"))
    m = base()
    m["subgraphs"][0]["inputs"] = [55]
    jsons["tflite_graph_input_out_of_range"] = (m, "fc8", (), ("graph input", "55"))
    m = base()
    m["operator_codes"][0] = {"deprecated_builtin_code": 127, "builtin_code": 200}
    jsons["tflite_unknown_builtin_op"] = (m, "fc8", ("not supported",), ("200",))
    m = base()
    m["subgraphs"][0]["operators"][0]["opcode_index"] = 9
    jsons["tflite_opcode_index_out_of_range"] = (m, "fc8", (), ("operator code", "9"))
    m = base()
    h = tensor_index(m, "h")
    m["subgraphs"][0]["operators"][0]["inputs"][0] = h
    jsons["tflite_self_loop"] = (m, "fc8", ("cycle", "order"), ("'h'", "FULLY_CONNECTED"))
    m = base()
    ops = m["subgraphs"][0]["operators"]
    ops[0]["inputs"][0] = tensor_index(m, "y")  # fc reads softmax's output, softmax reads fc's
    jsons["tflite_cycle_two_ops"] = (m, "fc8", ("cycle", "order"), ("'y'",))
    m = base()
    m["subgraphs"][0]["operators"].reverse()
    jsons["tflite_operators_out_of_order"] = (m, "fc8", ("cycle", "order"), ("'h'",))
    m = base()
    m["subgraphs"][0]["operators"][1]["outputs"] = [tensor_index(m, "h")]
    m["subgraphs"][0]["operators"][1]["inputs"] = [tensor_index(m, "x")]
    jsons["tflite_two_ops_write_one_tensor"] = (m, "fc8", (), ("'h'", "two"))
    m = base()
    m["subgraphs"][0]["tensors"][tensor_index(m, "x")]["shape"] = [1, 2 ** 30, 8]
    jsons["tflite_huge_dimension"] = (m, "fc8", (), ("'x'",))
    m = base()
    m["subgraphs"][0]["tensors"][tensor_index(m, "x")]["shape"] = [1, 2 ** 13, 2 ** 12]
    jsons["tflite_input_2e25_elements"] = (m, "fc8", (), ("'x'", "2^24"))
    m = base()
    m["subgraphs"][0]["tensors"][tensor_index(m, "x")]["shape"] = [1, -8]
    jsons["tflite_negative_dimension"] = (m, "fc8", (), ("'x'", "-8"))
    m = base()
    m["subgraphs"][0]["tensors"][tensor_index(m, "y")]["shape"] = [1, 5]
    jsons["tflite_output_shape_contradicts"] = (m, "fc8", (), ("'y'", "[1,5]", "[1,4]"))
    m = base()
    wt = m["subgraphs"][0]["tensors"][tensor_index(m, "w")]
    m["buffers"][wt["buffer"]]["data"][4:8] = list(struct.pack("<f", float("nan")))
    jsons["tflite_nan_weight"] = (m, "fc8", (), ("'w'", "nan"))
    m = base()
    m["buffers"][wt["buffer"]]["data"][4:8] = list(struct.pack("<f", float("inf")))
    jsons["tflite_inf_weight"] = (m, "fc8", (), ("'w'", "inf"))
    m = base()
    m["subgraphs"][0]["tensors"][tensor_index(m, "x")]["type"] = "COMPLEX64"
    jsons["tflite_complex_input"] = (m, "fc8", ("not supported",), ("'x'",))
    m = base()
    m["subgraphs"][0]["tensors"][tensor_index(m, "x")]["type"] = "INT32"
    jsons["tflite_int_input_to_fully_connected"] = (m, "fc8", (), ("'x'", "int"))

    m = base()
    m["subgraphs"][0]["outputs"] = []
    jsons["tflite_no_outputs"] = (m, "fc8", (), ("no outputs",))
    m = base()
    m["subgraphs"][0]["inputs"] = []
    jsons["tflite_no_inputs"] = (m, "fc8", (), ("no inputs",))

    # Window ops: the padding is derived from the declared output shape.
    def conv():
        return json.loads(json.dumps(S.convolution(False, "MAX_POOL_2D")))
    m = conv()
    m["subgraphs"][0]["tensors"][tensor_index(m, "c")]["shape"] = [1, 9, 9, 4]
    jsons["tflite_conv_output_shape_contradicts_window"] = (
        m, "conv6", (), ("CONV_2D", "[1,9,9,4]", "6x6"))
    m = conv()
    m["subgraphs"][0]["tensors"][tensor_index(m, "c")]["shape"] = [1, 6, 6, 5]
    jsons["tflite_conv_output_channels_contradict_filter"] = (
        m, "conv6", (), ("CONV_2D", "[1,6,6,5]", "4 channels"))
    m = conv()
    m["subgraphs"][0]["operators"][2]["builtin_options"]["filter_width"] = 100000
    jsons["tflite_pool_window_larger_than_input"] = (m, "conv6", (), ("MAX_POOL_2D", "larger"))
    m = conv()
    m["subgraphs"][0]["operators"][0]["builtin_options"]["stride_w"] = 0
    jsons["tflite_conv_stride_zero"] = (m, "conv6", (), ("CONV_2D", "strides"))

    # Permutations, axes and constant index data of tensor ops.
    def ops():
        return json.loads(json.dumps(S.tensor_ops(False)))

    def set_ints(m, name, values):
        t = m["subgraphs"][0]["tensors"][tensor_index(m, name)]
        m["buffers"][t["buffer"]]["data"] = list(struct.pack("<%di" % len(values), *values))
        t["shape"] = [len(values)]

    jsons["tflite_control_good_tensor_ops"] = (ops(), "t223", None, None)
    m = ops()
    set_ints(m, "perm", [0, 2, 2, 3])
    jsons["tflite_transpose_perm_not_permutation"] = (m, "t223", (), ("TRANSPOSE", "perm", "permutation"))
    m = ops()
    set_ints(m, "perm", [0, 2, 1])
    jsons["tflite_transpose_perm_wrong_length"] = (m, "t223", (), ("TRANSPOSE", "perm", "rank"))
    m = ops()
    set_ints(m, "perm", [0, 2, 1, 9])
    jsons["tflite_transpose_perm_out_of_range"] = (m, "t223", (), ("TRANSPOSE", "perm", "9"))
    m = ops()
    t = m["subgraphs"][0]["tensors"][tensor_index(m, "perm")]
    t["type"] = "FLOAT32"
    m["buffers"][t["buffer"]]["data"] = list(struct.pack("<4f", 0.0, 2.0, 1.0, -1.0e37))
    jsons["tflite_transpose_perm_float"] = (m, "t223", (), ("TRANSPOSE", "'perm'", "integer"))
    m = ops()
    m["subgraphs"][0]["operators"][2]["builtin_options"]["axis"] = 7
    jsons["tflite_concat_axis_out_of_range"] = (m, "t223", (), ("CONCATENATION", "axis", "7"))
    m = ops()
    set_ints(m, "axes", [1, 9])
    jsons["tflite_mean_axis_out_of_range"] = (m, "t223", (), ("MEAN", "axes", "9"))
    m = ops()
    set_ints(m, "pads", [0, 0, 1, 1, 1, 1])
    jsons["tflite_pad_paddings_wrong_count"] = (m, "t223", (), ("PAD", "paddings"))

    # Quantization parameters (int8 model).
    m = base(True)
    q = m["subgraphs"][0]["tensors"][tensor_index(m, "h")]["quantization"]
    q["scale"] = [0.05, 0.05]
    jsons["tflite_quant_scale_zero_point_lengths_differ"] = (
        m, "fc8", (), ("'h'", "2 scales", "1 zero point"))
    m = base(True)
    q = m["subgraphs"][0]["tensors"][tensor_index(m, "w")]["quantization"]
    q["scale"] = q["scale"][:3]
    q["zero_point"] = q["zero_point"][:3]
    jsons["tflite_quant_per_axis_count_wrong"] = (m, "fc8", (), ("'w'", "3", "4"))
    m = base(True)
    m["subgraphs"][0]["tensors"][tensor_index(m, "h")]["quantization"]["scale"] = [0.0]
    jsons["tflite_quant_zero_scale"] = (m, "fc8", (), ("'h'", "scale", "0"))
    m = base(True)
    m["subgraphs"][0]["tensors"][tensor_index(m, "h")]["quantization"]["scale"] = ["nan"]
    jsons["tflite_quant_nan_scale"] = (m, "fc8", (), ("'h'", "scale", "nan"))
    m = base(True)
    m["subgraphs"][0]["tensors"][tensor_index(m, "h")]["quantization"]["scale"] = [-0.5]
    jsons["tflite_quant_negative_scale"] = (m, "fc8", (), ("'h'", "scale", "-0.5"))
    m = base(True)
    m["subgraphs"][0]["tensors"][tensor_index(m, "h")]["quantization"]["zero_point"] = [300]
    jsons["tflite_quant_zero_point_out_of_range"] = (m, "fc8", (), ("'h'", "zero point", "300"))
    m = base(True)
    m["subgraphs"][0]["tensors"][tensor_index(m, "w")]["quantization"]["quantized_dimension"] = 5
    jsons["tflite_quant_axis_out_of_range"] = (m, "fc8", (), ("'w'", "5"))

    cases = {}
    for name, (m, calib, words, all_words) in jsons.items():
        src = os.path.join(d, name + ".json")
        with open(src, "w") as f:
            json.dump(m, f)
        r = subprocess.run([flatc, "-b", "-o", d, schema, src], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        if r.returncode != 0:
            raise RuntimeError("flatc failed on %s: %s" % (name, r.stdout.decode()[:300]))
        path = os.path.join(d, name + ".tflite")
        os.replace(os.path.join(d, name + ".bin"), path)
        cases[name] = (path, calib, words, all_words)

    good = open(cases["tflite_control_good_fc_float32"][0], "rb").read()
    n = len(good)
    for cut in sorted({4, 8, 30, n // 3, n // 2, n - 4}):
        path = os.path.join(d, "tflite_truncated_at_%d_of_%d.tflite" % (cut, n))
        open(path, "wb").write(good[:cut])
        cases[os.path.basename(path)[:-7]] = (path, "fc8", ("not a valid tflite", "truncated"), ())
    bad_id = bytearray(good)
    bad_id[4:8] = b"XXXX"
    path = os.path.join(d, "tflite_wrong_file_identifier.tflite")
    open(path, "wb").write(bad_id)
    cases["tflite_wrong_file_identifier"] = (path, "fc8", (), ("identifier", "XXXX", "TFL3"))
    path = os.path.join(d, "tflite_empty_file.tflite")
    open(path, "wb").close()
    cases["tflite_empty_file"] = (path, "fc8", ("not a valid tflite", "empty", "truncated"), ())
    return cases


# --- .npy ------------------------------------------------------------------

def npy_header(descr, shape, fortran=False, version=1):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", repr(tuple(shape)))
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    if version == 1:
        return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(header)) + header.encode()


def npy_corpus(d, rows, features):
    """{case: (path, any words, all words, for_sim)}: bad files for a model
    input of [1, features], as calibration and (for_sim) as mote-sim input."""
    rs = np.random.RandomState(3)
    good = rs.randn(rows, features).astype(np.float32)
    goodp = os.path.join(d, "good.npy")
    np.save(goodp, good)
    blob = open(goodp, "rb").read()
    hlen = 10 + struct.unpack_from("<H", blob, 8)[0]
    cases = {}

    def put(name, data, words, all_words, for_sim=True):
        path = os.path.join(d, name + ".npy")
        with open(path, "wb") as f:
            f.write(data)
        cases[name] = (path, words, all_words, for_sim)

    def save(name, arr, words, all_words, for_sim=True):
        path = os.path.join(d, name + ".npy")
        np.save(path, arr, allow_pickle=True)
        cases[name] = (path, words, all_words, for_sim)

    put("npy_empty_file", b"", (), ("npy_empty_file.npy", "not a .npy"))
    put("npy_bad_magic", b"\x93NUMPZ" + blob[6:], (), ("npy_bad_magic.npy", "not a .npy"))
    put("npy_truncated_in_magic", blob[:5], (), ("npy_truncated_in_magic.npy",))
    put("npy_truncated_header", blob[:hlen - 20], (), ("npy_truncated_header.npy", "truncated"))
    put("npy_truncated_data", blob[:len(blob) - 10], (),
        ("npy_truncated_data.npy", "truncated", str(rows * features * 4)))
    put("npy_version_9", blob[:6] + b"\x09\x00" + blob[8:], (), ("npy_version_9.npy", "version"))
    put("npy_header_not_a_dict", blob[:10] + b"x" * (hlen - 11) + b"\n" + blob[hlen:], (),
        ("npy_header_not_a_dict.npy",))
    put("npy_header_len_past_eof", blob[:6] + b"\x02\x00" + struct.pack("<I", 2 ** 31) + b"{}", (),
        ("npy_header_len_past_eof.npy", "truncated"))
    save("npy_complex64", good.astype(np.complex64), (), ("npy_complex64.npy", "c8"))
    obj = np.empty((rows, features), dtype=object)
    obj[:] = 1.0
    save("npy_object", obj, (), ("npy_object.npy", "'|O'"))
    save("npy_unicode", np.full((rows, features), "ab"), (), ("npy_unicode.npy", "U2"))
    save("npy_structured", np.zeros((rows,), dtype=[("a", "<f4"), ("b", "<f4")]), (),
         ("npy_structured.npy", "dtype"))
    put("npy_big_endian", npy_header(">f4", (rows, features)) + good.astype(">f4").tobytes(), (),
        ("npy_big_endian.npy", "big-endian"))
    save("npy_fortran_order", np.asfortranarray(good), (),
         ("npy_fortran_order.npy", "fortran"))
    save("npy_shape_wrong_features", rs.randn(rows, features + 1).astype(np.float32), (),
         ("npy_shape_wrong_features.npy", "shape", "[%d,%d]" % (rows, features + 1)))
    save("npy_shape_wrong_rank", rs.randn(rows, 2, features).astype(np.float32), (),
         ("npy_shape_wrong_rank.npy", "shape"))
    save("npy_scalar", np.float32(1.0), (), ("npy_scalar.npy", "shape"))
    save("npy_zero_samples", np.zeros((0, features), np.float32), (),
         ("npy_zero_samples.npy", "no samples"))
    put("npy_huge_shape_no_data", npy_header("<f4", (2 ** 40, features)), (),
        ("npy_huge_shape_no_data.npy",))
    put("npy_negative_dim", npy_header("<f4", (-1, features)), (),
        ("npy_negative_dim.npy", "negative"))
    nan = good.copy()
    nan[3, 1] = np.nan
    save("npy_nan_calibration", nan, (), ("npy_nan_calibration.npy", "sample 3", "nan"), False)
    inf = good.copy()
    inf[5, 0] = -np.inf
    save("npy_inf_calibration", inf, (), ("npy_inf_calibration.npy", "sample 5", "inf"), False)
    return cases


def main():
    a = E.parse_args(__doc__.splitlines()[0], "bad_model_corpus")
    c = E.Checker()
    w = a.scratch
    run = Runner(a, w)
    md_path = os.path.join(w, "messages.md")

    calib_dir = os.path.join(w, "calib")
    os.makedirs(calib_dir)
    rs = np.random.RandomState(1)
    calibs = {"mlp": rs.randn(32, 4).astype(np.float32),
              "conv": rs.randn(8, 2, 5, 5).astype(np.float32),
              "fc8": rs.randn(16, 8).astype(np.float32),
              "conv6": rs.randn(8, 6, 6, 2).astype(np.float32),
              "t223": rs.randn(8, 2, 2, 3).astype(np.float32)}
    for k, v in calibs.items():
        calibs[k] = os.path.join(calib_dir, k + ".npy")
        np.save(calibs[k], v)

    def model_cases(cases):
        for name, (path, calib, words, all_words) in cases.items():
            runs = [("float32", ["--precision", "float32"])]
            if calib:
                runs.insert(0, ("int8", ["--precision", "int8", "--calibration", calibs[calib]]))
            if words is None:  # a control: the undamaged model converts
                def control(path=path, runs=runs):
                    for prec, args in runs:
                        res = E.run([a.modelc, "convert", path, "-o",
                                     os.path.join(w, "control.mote")] + args, timeout=TIMEOUT)
                        if res.rc != 0:
                            return "%s: %s" % (prec, res.describe())
                c.run(name, control)
                continue
            for prec, args in runs:
                c.run("%s [%s]" % (name, prec), run.convert, "%s [%s]" % (name, prec), path, args,
                      words, all_words)

    # ONNX.
    try:
        import onnx  # noqa: F401
    except Exception as e:  # noqa: BLE001
        onnx = None
        c.skip("onnx_corpus", "python3-onnx not importable: %s" % e)
    if onnx is not None:
        d = os.path.join(w, "onnx")
        os.makedirs(d)
        cases = onnx_corpus(onnx, d)
        model_cases(cases)
        # A failed conversion never touches an earlier output.
        for name in ("onnx_nan_weight", "onnx_truncated_at_%d_of_" % 16, "onnx_cycle_two_nodes"):
            name = next(k for k in cases if k.startswith(name))
            path, calib, words, all_words = cases[name]
            c.run("%s [keeps existing output]" % name, run.convert, "%s [keeps existing output]" % name,
                  path, ["--calibration", calibs[calib]], words, all_words, True)

    # TFLite.
    flatc = shutil.which("flatc")
    if not flatc:
        c.skip("tflite_corpus", "flatc not found")
    else:
        d = os.path.join(w, "tflite")
        os.makedirs(d)
        model_cases(tflite_corpus(a, d, flatc))

    # .npy as calibration data and as mote-sim input, on the digits-free MLP.
    d = os.path.join(w, "npy")
    os.makedirs(d)
    npys = npy_corpus(d, 16, 4)
    good_mote = os.path.join(w, "good_mlp.mote")
    good_onnx = os.path.join(w, "onnx", "onnx_control_good_mlp.onnx")
    if onnx is None:
        c.skip("npy_corpus", "needs the ONNX control model")
    else:
        res = E.run([a.modelc, "convert", good_onnx, "-o", good_mote, "--calibration", calibs["mlp"]])
        if c.ok("setup_good_mlp_mote", res.rc == 0, res.describe()):
            for name, (path, words, all_words, for_sim) in npys.items():
                case = "%s [calibration]" % name
                c.run(case, run.convert, case, good_onnx, ["--calibration", path], words, all_words)
                if for_sim:
                    case = "%s [mote-sim input]" % name
                    c.run(case, run.sim, case, good_mote, [path], words, all_words)

    with open(md_path, "w") as f:
        f.write("| case | exit code | message |\n|---|---|---|\n")
        for case, rc, msg in ROWS:
            f.write("| %s | %s | %s |\n" % (case, rc, msg.replace("|", "\\|")))
    print("# %d bad inputs; messages in %s" % (len(ROWS), md_path))
    for case, rc, msg in ROWS:
        print("#   %s | %s | %s" % (case, rc, msg))
    return c.finish()


if __name__ == "__main__":
    sys.exit(E.guarded(main))
