"""The Python API (tools/python/mote) against independent oracles.

scikit-learn's and PyTorch's own predictions, mote-sim on the same bytes, and
the failure classes a user catches. Run with PYTHONPATH=<build>/python (ctest
sets it) and --bin <build>/bin.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import onnx
from onnx import TensorProto, helper

import mote

ARGS = None
REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DIGITS_ONNX = os.path.join(REPO, "models", "digits_mlp", "digits_mlp.onnx")


def digits():
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    x = (x / 16.0).astype(np.float32)
    return x[:1400], y[:1400], x[1400:], y[1400:]


class ScikitLearn(unittest.TestCase):
    def test_forest_predicts_as_sklearn(self):
        from sklearn.ensemble import RandomForestClassifier
        x, y, xt, yt = digits()
        clf = RandomForestClassifier(n_estimators=10, max_depth=8, random_state=0).fit(x, y)
        model = mote.convert(clf, calibration=x)
        got = model.predict(xt)
        self.assertEqual(got.shape, (len(xt),))
        agree = float(np.mean(got == clf.predict(xt)))
        self.assertGreaterEqual(agree, 0.99, agree)

    def test_pipeline_with_string_labels(self):
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.datasets import load_iris
        x, y = load_iris(return_X_y=True)
        names = np.array(["setosa", "versicolor", "virginica"])[y]
        clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(x, names)
        model = mote.convert(clf, calibration=x.astype(np.float32))
        got = model.predict(x.astype(np.float32))
        self.assertEqual(got.dtype.kind, "U")
        self.assertGreaterEqual(float(np.mean(got == clf.predict(x))), 0.99)
        probs = model.run(x.astype(np.float32))["probabilities"]
        np.testing.assert_allclose(probs, clf.predict_proba(x), atol=1e-4)


class PyTorch(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import torch
        torch.manual_seed(0)
        x, y, xt, _ = digits()
        net = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
        opt = torch.optim.Adam(net.parameters(), lr=0.01)
        xs, ys = torch.from_numpy(x), torch.from_numpy(y).long()
        for _ in range(150):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(xs), ys).backward()
            opt.step()
        cls.net, cls.x, cls.xt = net, x, xt
        with torch.no_grad():
            cls.want = net(torch.from_numpy(xt)).numpy()

    def test_float32_equals_torch(self):
        model = mote.convert(self.net, calibration=self.x[:50], precision="float32")
        np.testing.assert_allclose(model.predict(self.xt), self.want, rtol=1e-4, atol=1e-5)

    def test_int8_and_int16_agree_with_torch(self):
        for precision, bar in (("int8", 0.98), ("int16", 0.995)):
            model = mote.convert(self.net, calibration=self.x, precision=precision)
            self.assertEqual(model.inputs[0].dtype, precision)
            agree = float(np.mean(model.predict(self.xt).argmax(1) == self.want.argmax(1)))
            self.assertGreaterEqual(agree, bar, (precision, agree))

    def test_one_sample_keeps_the_input_shape(self):
        model = mote.convert(self.net, calibration=self.x, precision="float32")
        one = model.predict(self.xt[:1])
        self.assertEqual(one.shape, tuple(model.outputs[0].shape))
        np.testing.assert_allclose(one[0], self.want[0], rtol=1e-4, atol=1e-5)
        self.assertEqual(model.predict(self.xt[0]).shape, (10,))


class Files(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        _, _, self.xt, _ = digits()
        self.calib = np.load(os.path.join(REPO, "models", "digits_mlp", "calib.npy"))

    def tearDown(self):
        self.tmp.cleanup()

    def test_sources_agree_and_equal_modelc(self):
        by_path = mote.convert(DIGITS_ONNX, calibration=self.calib)
        by_proto = mote.convert(onnx.load(DIGITS_ONNX), calibration=self.calib)
        with open(DIGITS_ONNX, "rb") as f:
            by_bytes = mote.convert(f.read(), calibration=self.calib)
        out = os.path.join(self.dir, "cli.mote")
        subprocess.run([os.path.join(ARGS.bin, "modelc"), "convert", DIGITS_ONNX, "-o", out, "--calibration",
                        os.path.join(REPO, "models", "digits_mlp", "calib.npy")], check=True, capture_output=True)
        with open(out, "rb") as f:
            self.assertEqual(by_path.bytes, f.read())  # the same pipeline as the command line
        for other in (by_proto, by_bytes):
            np.testing.assert_array_equal(other.run(self.xt, raw=True)[other.outputs[0].name],
                                          by_path.run(self.xt, raw=True)[by_path.outputs[0].name])

    def test_predict_equals_mote_sim(self):
        model = mote.convert(DIGITS_ONNX, calibration=self.calib)
        path, x, y = (os.path.join(self.dir, n) for n in ("m.mote", "x.npy", "y.npy"))
        model.save(path)
        np.save(x, self.xt[:40].reshape((40,) + tuple(model.inputs[0].shape[1:])))
        subprocess.run([os.path.join(ARGS.bin, "mote-sim"), "run", path, "--input", x, "--output", y, "--raw"],
                       check=True, capture_output=True)
        raw = model.run(np.load(x), raw=True)[model.outputs[0].name]
        np.testing.assert_array_equal(raw, np.load(y))

    def test_save_load_header_report(self):
        model = mote.convert(DIGITS_ONNX, calibration=self.calib, selftest=2)
        path = os.path.join(self.dir, "digits.mote")
        model.save(path)
        loaded = mote.load(path)
        self.assertEqual(loaded.bytes, model.bytes)
        self.assertEqual(loaded.arena_size, model.arena_size)
        text = model.header(os.path.join(self.dir, "digits.h"), "digits")
        self.assertIn("#define MOTE_DIGITS_ARENA_SIZE %d" % model.arena_size, text)
        with open(os.path.join(self.dir, "digits.h")) as f:
            self.assertEqual(f.read(), text)
        r = model.report
        self.assertEqual(r["arena_bytes"], model.arena_size)
        self.assertEqual(r["file_bytes"], len(model.bytes))
        self.assertEqual(r["total_macs"], sum(op["macs"] for op in r["operators"]))
        self.assertGreater(r["total_macs"], 0)
        self.assertTrue(any(s["cpu"] == "cortex-m4" and s["worst_case_bytes"] > 0 for s in r["stack"]))
        self.assertEqual({op["runtime_op"] for op in r["operators"]}, {"FullyConnected"})
        self.assertIn("operators", loaded.report)  # inspect's view of a loaded file
        self.assertIn("FullyConnected", loaded.describe())


class Compare(unittest.TestCase):
    def test_layer_by_layer(self):
        calib = np.load(os.path.join(REPO, "models", "digits_mlp", "calib.npy"))
        model = mote.convert(DIGITS_ONNX, calibration=calib)
        c = model.compare(DIGITS_ONNX, calib[:20])
        self.assertEqual(c["samples"], 20)
        ops = [t for t in c["tensors"] if t["op_index"] >= 0]
        self.assertEqual(ops[-1]["tensor"], model.outputs[0].name)
        self.assertGreater(ops[-1]["sqnr_db"], 20.0)
        self.assertGreaterEqual(c["worst"], 0)
        self.assertIn("worst layer: op", c["text"])
        # An independent check of the last row: the float model run by numpy.
        import onnx.numpy_helper as nh
        g = onnx.load(DIGITS_ONNX).graph
        w = {i.name: nh.to_array(i) for i in g.initializer}
        x = calib[:20].reshape(20, -1)
        for node in g.node:
            if node.op_type == "Gemm":
                x = x @ w[node.input[1]].T + w[node.input[2]]
            elif node.op_type == "Relu":
                x = np.maximum(x, 0)
        got = model.predict(calib[:20])
        sqnr = 10 * np.log10(np.sum(x ** 2) / np.sum((got - x) ** 2))
        self.assertAlmostEqual(ops[-1]["sqnr_db"], sqnr, delta=0.05)
        # float32 conversion: every tensor within float rounding.
        exact = mote.convert(DIGITS_ONNX, precision="float32").compare(DIGITS_ONNX, calib[:5])
        self.assertTrue(all(t["exact"] or t["sqnr_db"] > 100 for t in exact["tensors"]))


class Install(unittest.TestCase):
    def test_cmake_install_component(self):
        build = os.path.dirname(os.path.abspath(ARGS.bin))
        with tempfile.TemporaryDirectory() as prefix:
            subprocess.run(["cmake", "--install", build, "--component", "python", "--prefix", prefix],
                           check=True, capture_output=True)
            site = os.path.join(prefix, "lib", "python%d.%d" % sys.version_info[:2], "dist-packages")
            code = ("import mote, numpy as np; from sklearn.tree import DecisionTreeClassifier as T; "
                    "x = np.eye(4, dtype=np.float32); m = mote.convert(T().fit(x, [0, 1, 2, 3])); "
                    "print(m.predict(x).tolist(), mote.__file__)")
            r = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, PYTHONPATH=site), cwd=prefix,
                               capture_output=True, text=True, check=True)
            self.assertIn("[0, 1, 2, 3] " + site, r.stdout)


class AudioFrontend(unittest.TestCase):
    """mote.convert(frontend=...) as modelc convert --frontend: raw int16 audio in,
    the same bytes as the command line, the parameters in the report."""

    def test_frontend_passes_through(self):
        spec = "logmel:n_fft=256,hop_length=128,n_mels=16,center=false"
        frames, samples = 8, 256 + 7 * 128
        x = helper.make_tensor_value_info("features", TensorProto.FLOAT, [1, 16, frames])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16 * frames])
        shape = helper.make_tensor("s", TensorProto.INT64, [2], [1, 16 * frames])
        graph = helper.make_graph([helper.make_node("Reshape", ["features", "s"], ["y"])], "g", [x], [y],
                                  [shape])
        source = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        audio = np.round(np.random.default_rng(0).normal(0, 3000, (4, samples))).astype(np.int16)
        model = mote.convert(source, calibration=audio, precision="int16", frontend=spec)
        self.assertEqual(tuple(model.inputs[0].shape), (1, samples))
        self.assertEqual(model.report["frontend"]["kind"], "logmel")
        self.assertEqual(model.report["frontend"]["n_mels"], "16")
        with tempfile.TemporaryDirectory() as d:
            paths = [os.path.join(d, n) for n in ("m.onnx", "a.npy", "cli.mote")]
            onnx.save(source, paths[0])
            np.save(paths[1], audio)
            subprocess.run([os.path.join(ARGS.bin, "modelc"), "convert", paths[0], "-o", paths[2],
                            "--precision", "int16", "--calibration", paths[1], "--frontend", spec],
                           check=True, capture_output=True)
            cli = mote.load(paths[2])
        got = model.run((audio[:2] / 32768.0).astype(np.float32), raw=True)
        want = cli.run((audio[:2] / 32768.0).astype(np.float32), raw=True)
        for name in got:
            np.testing.assert_array_equal(got[name], want[name])
    def test_frontend_streams_raw_audio(self):
        """frontend= and stream= composed: one hop of audio per run, the whole clip's output at its last hop."""
        spec = "logmel:n_fft=256,hop_length=128,n_mels=16,center=false"
        frames, samples = 8, 256 + 7 * 128
        x = helper.make_tensor_value_info("features", TensorProto.FLOAT, [1, 16, frames])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 16 * frames])
        shape = helper.make_tensor("s", TensorProto.INT64, [2], [1, 16 * frames])
        graph = helper.make_graph([helper.make_node("Reshape", ["features", "s"], ["y"])], "g", [x], [y],
                                  [shape])
        source = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        audio = np.round(np.random.default_rng(1).normal(0, 3000, (4, samples))).astype(np.int16)
        full = mote.convert(source, calibration=audio, precision="int16", frontend=spec)
        model = mote.convert(source, calibration=audio, precision="int16", frontend=spec,
                             stream="input=audio,axis=1,hop=128")
        self.assertEqual(tuple(model.inputs[0].shape), (1, 128))
        self.assertEqual(model.report["streamed_inputs"][0]["mode"], "frontend")
        self.assertEqual(model.report["streamed_inputs"][0]["lead"], 0)
        self.assertGreater(model.state_size, 0)
        clip = (audio[:1] / 32768.0).astype(np.float32)
        want = full.run(clip, raw=True)["y"]
        got = model.run(clip.reshape(samples // 128, 128), raw=True)["y"]  # 9 hops: 8 frames after 1 priming
        self.assertEqual(got[-1].tobytes(), want[0].tobytes())
        self.assertNotEqual(got[-2].tobytes(), want[0].tobytes())


class Streaming(unittest.TestCase):
    """mote.convert(stream=...): state kept between runs, reset_state as a fresh model."""

    def test_gru_steps_and_resets(self):
        d = os.path.join(REPO, "models", "gru_classifier")
        onnx_path = os.path.join(d, "gru_classifier.onnx")
        calib = np.load(os.path.join(d, "calib.npy"))
        seqs = np.load(os.path.join(d, "test_x.npy"))[:2]
        for precision in ("float32", "int8"):
            full = mote.convert(onnx_path, calib, precision)
            model = mote.convert(onnx_path, calib, precision, stream="input=x,axis=1,hop=4")
            self.assertGreater(model.state_size, 0)
            self.assertEqual(full.state_size, 0)
            want = full.run(seqs, raw=True)["logits"]
            first = None
            for k, seq in enumerate(seqs):
                model.reset_state()
                out = model.run(seq.reshape(8, 4, 4), raw=True)["logits"]
                if precision == "float32":
                    np.testing.assert_allclose(out[-1], want[k], atol=1e-5)
                else:
                    self.assertEqual(out[-1].tobytes(), want[k].tobytes())
                if k == 0:
                    first = out
            model.reset_state()  # the same stream again: the same outputs as the first time
            np.testing.assert_array_equal(model.run(seqs[0].reshape(8, 4, 4), raw=True)["logits"], first)
            # Without a reset the state carries on: another stream's outputs differ.
            self.assertFalse(np.array_equal(model.run(seqs[0].reshape(8, 4, 4), raw=True)["logits"], first))


class TokenIds(unittest.TestCase):
    """An nn.Embedding text model (models/text_embed): int64 token ids in calibration and
    run, PyTorch's logits, mote-sim's bytes, and ids that do not fit refused."""

    def test_text_embed(self):
        d = os.path.join(REPO, "models", "text_embed")
        onnx_path = os.path.join(d, "text_embed.onnx")
        calib = np.load(os.path.join(d, "calib.npy"))
        ids = np.load(os.path.join(d, "test_x.npy"))[:16]
        want = np.load(os.path.join(d, "torch_logits.npy"))[:16]
        self.assertEqual(ids.dtype, np.int64)
        model = mote.convert(onnx_path, calib, "float32")
        self.assertEqual(model.inputs[0].dtype, "int32")
        got = model.run(ids)["logits"]
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
        np.testing.assert_array_equal(model.run(ids.astype(np.int32))["logits"], got)
        q = mote.convert(onnx_path, calib, "int8")
        raw = q.run(ids, raw=True)["logits"]
        with tempfile.TemporaryDirectory() as t:
            path, x, y = os.path.join(t, "m.mote"), os.path.join(t, "x.npy"), os.path.join(t, "y.npy")
            q.save(path)
            np.save(x, ids)
            subprocess.run([os.path.join(ARGS.bin, "mote-sim"), "run", path, "--input", x, "--output", y, "--raw"],
                           check=True)
            self.assertEqual(np.load(y).tobytes(), raw.tobytes())
        for bad in (ids.astype(np.float32), np.full_like(ids, 2 ** 31)):
            with self.assertRaises(mote.InputShapeError):
                q.run(bad)
        past = ids.copy()
        past[3, 4] = 200  # the table has 200 rows: a run-time error, never a read past it
        with self.assertRaises(mote.MoteError):
            q.run(past)


def onnx_model(op, **attrs):
    node = helper.make_node(op, ["x"], ["y"], name="the_node", **attrs)
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])


class Errors(unittest.TestCase):
    def setUp(self):
        self.calib = np.load(os.path.join(REPO, "models", "digits_mlp", "calib.npy"))
        self.model = mote.convert(DIGITS_ONNX, calibration=self.calib)

    def test_unsupported_op_names_node_op_reason(self):
        with self.assertRaises(mote.UnsupportedOpError) as e:
            mote.convert(onnx_model("NonZero"), precision="float32")
        self.assertEqual((e.exception.node, e.exception.op), ("the_node", "NonZero"))
        self.assertTrue(e.exception.reason)
        with self.assertRaises(mote.UnsupportedOpError) as e:
            mote.convert(onnx_model("Elu", no_such_attribute=1.0), precision="float32")
        self.assertIn("no_such_attribute", e.exception.reason)

    def test_invalid_model(self):
        with self.assertRaises(mote.InvalidModelError):
            mote.convert(b"not a model")
        bad = self.calib.copy()
        bad[0, 0] = np.nan
        with self.assertRaises(mote.InvalidModelError):
            mote.convert(DIGITS_ONNX, calibration=bad)

    def test_budget(self):
        with self.assertRaises(mote.BudgetExceededError) as e:
            mote.convert(DIGITS_ONNX, calibration=self.calib, max_arena=64)
        self.assertEqual((e.exception.budget, e.exception.limit), ("arena", 64))
        self.assertEqual(e.exception.actual, self.model.arena_size)
        with self.assertRaises(mote.BudgetExceededError):
            mote.convert(DIGITS_ONNX, calibration=self.calib, max_stack={"cortex-m0": 16})

    def test_corrupt_and_truncated(self):
        data = bytearray(self.model.bytes)
        data[len(data) // 2] ^= 0x40
        with self.assertRaises(mote.CorruptModelError) as e:
            mote.load(bytes(data))
        self.assertTrue(e.exception.status.startswith("k"))
        with self.assertRaises(mote.CorruptModelError):
            mote.load(self.model.bytes[: len(self.model.bytes) // 3])

    def test_version_mismatch(self):
        # The runtime checks the schema version before the payload's CRC; the
        # version fields sit in the File table's inline data (mote.fbs).
        data = bytearray(self.model.bytes)
        for off in range(4, 256, 2):
            trial = bytearray(data)
            trial[off] = (trial[off] + 7) & 0xFF
            try:
                mote.load(bytes(trial))
            except mote.VersionMismatchError as e:
                self.assertEqual(e.status, "kVersionMismatch")
                return
            except mote.MoteError:
                continue
        self.fail("no single-byte change of the header gave a version mismatch")

    def test_arena_too_small(self):
        with self.assertRaises(mote.ArenaTooSmallError) as e:
            mote.load(self.model.bytes, arena_size=self.model.arena_size - 16)
        self.assertEqual(e.exception.needed, self.model.arena_size)
        self.assertEqual(e.exception.given, self.model.arena_size - 16)
        self.assertEqual(mote.load(self.model.bytes, arena_size=self.model.arena_size).arena_size,
                         self.model.arena_size)

    def test_input_shape(self):
        with self.assertRaises(mote.InputShapeError) as e:
            self.model.predict(np.zeros((3, 63), np.float32))
        self.assertEqual(e.exception.got, (3, 63))
        with self.assertRaises(mote.InputShapeError):
            self.model.run({"nope": np.zeros((1, 64), np.float32)})

    def test_every_failure_is_a_mote_error(self):
        for cls in (mote.UnsupportedOpError, mote.InvalidModelError, mote.BudgetExceededError,
                    mote.CorruptModelError, mote.VersionMismatchError, mote.ArenaTooSmallError,
                    mote.InputShapeError):
            self.assertTrue(issubclass(cls, mote.MoteError))
            self.assertFalse(issubclass(cls, RuntimeError))


if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--bin", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
