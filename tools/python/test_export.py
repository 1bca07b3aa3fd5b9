#!/usr/bin/python3
"""Tests of tools/python/mote_sklearn (exporter + numpy reference evaluator).

    /usr/bin/python3 tools/python/test_export.py [-v]

Trains every supported estimator on scikit-learn's iris, wine, breast_cancer,
digits (classification) and diabetes (regression), exports it, evaluates the
ONNX model with mote_sklearn.reference and compares with scikit-learn:
labels identical on >= 99.9 % of test rows, predict_proba within 1e-4
(decision_function for LinearSVC and SVC without probabilities, in
onnxruntime's layout), regression outputs within 1e-4 relative.
Also: the skl2onnx examples in /work/shared/testdata/onnx-ml (the evaluator
against skl2onnx + sklearn outputs, and the exporter re-creating skl2onnx's
graphs attribute for attribute), the evaluator's other modes on hand-built
trees, the CLI, and clear errors for unsupported estimators / options.
Prints PASS / FAIL lines and ends with "N passed, M failed"; exit 1 on failure.
"""
import os
import pickle
import subprocess
import sys
import tempfile
import time
import traceback
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import onnx  # noqa: E402
from onnx import TensorProto, helper  # noqa: E402

import mote_sklearn  # noqa: E402
from mote_sklearn import reference  # noqa: E402

from sklearn import datasets  # noqa: E402
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor,  # noqa: E402
                              GradientBoostingClassifier, GradientBoostingRegressor,
                              RandomForestClassifier, RandomForestRegressor)
from sklearn.linear_model import (ElasticNet, Lasso, LinearRegression,  # noqa: E402
                                  LogisticRegression, Ridge, SGDRegressor)
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.pipeline import Pipeline, make_pipeline  # noqa: E402
from sklearn.preprocessing import (MaxAbsScaler, MinMaxScaler, RobustScaler,  # noqa: E402
                                   StandardScaler)
from sklearn.svm import SVC, SVR, LinearSVC, LinearSVR, NuSVC, NuSVR  # noqa: E402
from sklearn.tree import (DecisionTreeClassifier, DecisionTreeRegressor,  # noqa: E402
                          ExtraTreeClassifier, ExtraTreeRegressor)

SKL2ONNX_DIR = "/work/shared/testdata/onnx-ml"
VERBOSE = "-v" in sys.argv

LABEL_AGREEMENT = 0.999
PROBA_TOL = 1e-4
REG_RTOL = 1e-4

passed = 0
failed = 0


def report(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS %s%s" % (name, (" (%s)" % detail) if detail and VERBOSE else ""))
    else:
        failed += 1
        print("FAIL %s: %s" % (name, detail))


def run_test(name, fn):
    try:
        ok, detail = fn()
    except Exception as e:  # a crash is a failure with its traceback
        ok, detail = False, "%s: %s\n%s" % (type(e).__name__, e, traceback.format_exc())
    report(name, ok, detail)


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
def load(name):
    loader = getattr(datasets, "load_" + name)
    X, y = loader(return_X_y=True)
    X = X.astype(np.float32)
    return train_test_split(X, y, test_size=0.3, random_state=0)


DATA = {n: load(n) for n in ("iris", "wine", "breast_cancer", "digits", "diabetes")}
# Labels that are not 0..C-1 (the class list must map votes to them).
DATA["wine_labels_3_13_23"] = tuple(v if k < 2 else v * 10 + 3 for k, v in enumerate(DATA["wine"]))


# --------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------
def check_io(model, kind, n_features, n_out):
    g = model.graph
    opsets = sorted((o.domain, o.version) for o in model.opset_import)
    if opsets != [("", 15), ("ai.onnx.ml", 1)]:
        return "opset_import %s" % opsets
    if [i.name for i in g.input] != ["X"]:
        return "inputs %s" % [i.name for i in g.input]
    t = g.input[0].type.tensor_type
    dims = [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]
    if t.elem_type != TensorProto.FLOAT or dims != [None, n_features]:
        return "input X %s %s" % (t.elem_type, dims)
    outs = {}
    for o in g.output:
        tt = o.type.tensor_type
        outs[o.name] = (tt.elem_type,
                        [d.dim_value if d.HasField("dim_value") else None for d in tt.shape.dim])
    if kind == "classifier":
        want = {"label": (TensorProto.INT64, [None]),
                "probabilities": (TensorProto.FLOAT, [None, n_out])}
    else:
        want = {"variable": (TensorProto.FLOAT, [None, n_out])}
    if outs != want or [o.name for o in g.output] != list(want):
        return "outputs %s, want %s" % (outs, want)
    return None


def eval_classifier(est, data, scores="proba"):
    Xtr, Xte, ytr, yte = data
    est.fit(Xtr, ytr)
    n_classes = len(np.unique(ytr))
    model = mote_sklearn.to_onnx(est, Xtr.shape[1])
    n_out = 1 if (scores == "decision" and n_classes == 2) else n_classes
    if scores == "svc_decision":
        # onnxruntime's SVMClassifier scores: [-s, s] for libsvm's s = -d with two
        # classes, the pairwise values for 'ovo', sklearn's 'ovr' function otherwise.
        svc_want = est.decision_function(Xte)
        if svc_want.ndim == 1:
            svc_want = np.stack([svc_want, -svc_want], axis=1)
        n_out = svc_want.shape[1]
    err = check_io(model, "classifier", Xtr.shape[1], n_out)
    if err:
        return False, err
    out = reference.run(model, {"X": Xte})
    label, prob = out["label"], out["probabilities"]
    want_label = est.predict(Xte)
    if label.dtype != np.int64 or label.shape != (len(Xte),):
        return False, "label %s %s" % (label.dtype, label.shape)
    agree = float(np.mean(label == want_label))
    if scores == "proba":
        want = est.predict_proba(Xte)
    elif scores == "svc_decision":
        want = svc_want
    else:
        want = est.decision_function(Xte)
        if want.ndim == 1:
            want = want.reshape(-1, 1)
    if prob.shape != want.shape or prob.dtype != np.float32:
        return False, "probabilities %s %s, want %s" % (prob.dtype, prob.shape, want.shape)
    if scores == "proba":
        err = float(np.max(np.abs(prob - want)))
        ok_p = err <= PROBA_TOL
    else:
        err = float(np.max(np.abs(prob - want) / np.maximum(1.0, np.abs(want))))
        ok_p = err <= PROBA_TOL
    ok = agree >= LABEL_AGREEMENT and ok_p
    return ok, "labels %.4f agree, max %s err %.2e, %d nodes" % (
        agree, "proba" if scores == "proba" else "decision", err, len(model.graph.node))


def rel_err(got, want):
    want = np.asarray(want, dtype=np.float64)
    got = np.asarray(got, dtype=np.float64)
    floor = 1e-3 * max(1e-12, float(np.max(np.abs(want))))
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), floor)))


def eval_regressor(est, data, y2=False):
    Xtr, Xte, ytr, yte = data
    if y2:
        ytr = np.stack([ytr, np.sqrt(ytr) * 10.0], axis=1)
    est.fit(Xtr, ytr)
    model = mote_sklearn.to_onnx(est, Xtr.shape[1])
    n_t = 2 if y2 else 1
    err = check_io(model, "regressor", Xtr.shape[1], n_t)
    if err:
        return False, err
    got = reference.run(model, {"X": Xte})["variable"]
    want = est.predict(Xte).reshape(len(Xte), n_t)
    if got.shape != want.shape or got.dtype != np.float32:
        return False, "variable %s %s, want %s" % (got.dtype, got.shape, want.shape)
    e = rel_err(got, want)
    return e <= REG_RTOL, "max rel err %.2e" % e


def eval_transformer(est, data):
    Xtr, Xte, _, _ = data
    est.fit(Xtr)
    model = mote_sklearn.to_onnx(est, Xtr.shape[1])
    err = check_io(model, "transformer", Xtr.shape[1], Xtr.shape[1])
    if err:
        return False, err
    got = reference.run(model, {"X": Xte})["variable"]
    want = est.transform(Xte.astype(np.float64))
    e = rel_err(got, want)
    return e <= REG_RTOL, "max rel err %.2e" % e


# --------------------------------------------------------------------------
# estimators
# --------------------------------------------------------------------------
CLASSIFIERS = [
    ("DecisionTreeClassifier", lambda: DecisionTreeClassifier(max_depth=6, random_state=0), "proba"),
    ("RandomForestClassifier", lambda: RandomForestClassifier(n_estimators=10, max_depth=6, random_state=0), "proba"),
    ("ExtraTreesClassifier", lambda: ExtraTreesClassifier(n_estimators=10, max_depth=6, random_state=0), "proba"),
    ("GradientBoostingClassifier", lambda: GradientBoostingClassifier(n_estimators=20, max_depth=3, random_state=0), "proba"),
    ("StandardScaler+LogisticRegression", lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=3000)), "proba"),
    ("StandardScaler+LogisticRegression(ovr)", lambda: make_pipeline(StandardScaler(), LogisticRegression(multi_class="ovr", max_iter=3000)), "proba"),
    ("MinMaxScaler+LogisticRegression(liblinear)", lambda: make_pipeline(MinMaxScaler(), LogisticRegression(solver="liblinear")), "proba"),
    ("StandardScaler+LinearSVC", lambda: make_pipeline(StandardScaler(), LinearSVC(random_state=0, max_iter=20000)), "decision"),
    ("GaussianNB", lambda: GaussianNB(), "proba"),
    ("StandardScaler+SVC(rbf)", lambda: make_pipeline(StandardScaler(), SVC()), "svc_decision"),
    ("StandardScaler+SVC(poly)", lambda: make_pipeline(StandardScaler(), SVC(kernel="poly")), "svc_decision"),
    ("StandardScaler+SVC(linear)", lambda: make_pipeline(StandardScaler(), SVC(kernel="linear")), "svc_decision"),
    ("StandardScaler+SVC(sigmoid)", lambda: make_pipeline(StandardScaler(), SVC(kernel="sigmoid")), "svc_decision"),
    ("StandardScaler+SVC(rbf, probability)",
     lambda: make_pipeline(StandardScaler(), SVC(probability=True, random_state=0)), "proba"),
]

# options / variants, on the dataset where they matter
EXTRA_CLASSIFIERS = [
    ("wine", "StandardScaler+SVC(ovo)",
     lambda: make_pipeline(StandardScaler(), SVC(decision_function_shape="ovo")), "svc_decision"),
    ("wine_labels_3_13_23", "StandardScaler+SVC(rbf)", lambda: make_pipeline(StandardScaler(), SVC()), "svc_decision"),
    ("wine_labels_3_13_23", "StandardScaler+SVC(poly, probability)",
     lambda: make_pipeline(StandardScaler(), SVC(kernel="poly", probability=True, random_state=0)), "proba"),
    ("iris", "StandardScaler+SVC(sigmoid, probability)",
     lambda: make_pipeline(StandardScaler(), SVC(kernel="sigmoid", probability=True, random_state=0)), "proba"),
    ("breast_cancer", "StandardScaler+SVC(linear, probability)",
     lambda: make_pipeline(StandardScaler(), SVC(kernel="linear", probability=True, random_state=0)), "proba"),
    ("iris", "StandardScaler+SVC(poly, degree=2, gamma=0.5, coef0=1)",
     lambda: make_pipeline(StandardScaler(), SVC(kernel="poly", degree=2, gamma=0.5, coef0=1.0)), "svc_decision"),
    ("iris", "StandardScaler+NuSVC", lambda: make_pipeline(StandardScaler(), NuSVC()), "svc_decision"),
    ("breast_cancer", "StandardScaler+NuSVC(probability)",
     lambda: make_pipeline(StandardScaler(), NuSVC(probability=True, random_state=0)), "proba"),
    ("breast_cancer", "StandardScaler+LogisticRegression(multinomial, binary)",
     lambda: make_pipeline(StandardScaler(), LogisticRegression(multi_class="multinomial", max_iter=3000)), "proba"),
    ("iris", "StandardScaler+LogisticRegression(fit_intercept=False)",
     lambda: make_pipeline(StandardScaler(), LogisticRegression(fit_intercept=False, max_iter=3000)), "proba"),
    ("breast_cancer", "StandardScaler+LinearSVC(fit_intercept=False)",
     lambda: make_pipeline(StandardScaler(), LinearSVC(fit_intercept=False, random_state=0, max_iter=20000)), "decision"),
    ("wine", "StandardScaler+LinearSVC(crammer_singer)",
     lambda: make_pipeline(StandardScaler(), LinearSVC(multi_class="crammer_singer", random_state=0, max_iter=20000)), "decision"),
    ("breast_cancer", "GradientBoostingClassifier(init='zero')",
     lambda: GradientBoostingClassifier(n_estimators=20, init="zero", random_state=0), "proba"),
    ("wine", "GradientBoostingClassifier(init='zero', subsample=0.8)",
     lambda: GradientBoostingClassifier(n_estimators=20, init="zero", subsample=0.8, random_state=0), "proba"),
    ("breast_cancer", "RandomForestClassifier(class_weight='balanced')",
     lambda: RandomForestClassifier(n_estimators=10, max_depth=6, class_weight="balanced", random_state=0), "proba"),
    ("iris", "ExtraTreeClassifier", lambda: ExtraTreeClassifier(max_depth=6, random_state=0), "proba"),
    ("wine", "GaussianNB(priors)", lambda: GaussianNB(priors=[0.2, 0.3, 0.5]), "proba"),
]

REGRESSORS = [
    ("DecisionTreeRegressor", lambda: DecisionTreeRegressor(max_depth=6, random_state=0)),
    ("RandomForestRegressor", lambda: RandomForestRegressor(n_estimators=10, max_depth=6, random_state=0)),
    ("ExtraTreesRegressor", lambda: ExtraTreesRegressor(n_estimators=10, max_depth=6, random_state=0)),
    ("GradientBoostingRegressor", lambda: GradientBoostingRegressor(n_estimators=20, max_depth=3, random_state=0)),
    ("GradientBoostingRegressor(huber)", lambda: GradientBoostingRegressor(n_estimators=20, loss="huber", random_state=0)),
    ("LinearRegression", lambda: LinearRegression()),
    ("Ridge", lambda: Ridge(alpha=0.5)),
    ("Lasso", lambda: Lasso(alpha=0.05)),
    ("ElasticNet", lambda: ElasticNet(alpha=0.001, l1_ratio=0.5, max_iter=10000)),
    ("StandardScaler+LinearSVR", lambda: make_pipeline(StandardScaler(), LinearSVR(C=10.0, random_state=0, max_iter=20000))),
    ("MinMaxScaler+Ridge", lambda: make_pipeline(MinMaxScaler(), Ridge())),
    ("StandardScaler+SGDRegressor", lambda: make_pipeline(StandardScaler(), SGDRegressor(random_state=0))),
    ("ExtraTreeRegressor", lambda: ExtraTreeRegressor(max_depth=6, random_state=0)),
    ("GradientBoostingRegressor(absolute_error, init='zero')",
     lambda: GradientBoostingRegressor(n_estimators=20, loss="absolute_error", init="zero", random_state=0)),
    ("LinearRegression(fit_intercept=False)", lambda: LinearRegression(fit_intercept=False)),
    ("Pipeline(RobustScaler,MaxAbsScaler)+LinearRegression",
     lambda: Pipeline([("pre", make_pipeline(RobustScaler(), MaxAbsScaler())), ("skip", "passthrough"),
                       ("lr", LinearRegression())])),
    ("StandardScaler+SVR(rbf)", lambda: make_pipeline(StandardScaler(), SVR(C=50.0))),
    ("StandardScaler+SVR(poly)", lambda: make_pipeline(StandardScaler(), SVR(kernel="poly", C=50.0))),
    ("StandardScaler+SVR(linear)", lambda: make_pipeline(StandardScaler(), SVR(kernel="linear", C=50.0))),
    ("StandardScaler+SVR(sigmoid)", lambda: make_pipeline(StandardScaler(), SVR(kernel="sigmoid", C=5.0))),
    ("StandardScaler+NuSVR", lambda: make_pipeline(StandardScaler(), NuSVR(C=50.0))),
]

MULTI_TARGET = [
    ("RandomForestRegressor(2 targets)", lambda: RandomForestRegressor(n_estimators=10, max_depth=6, random_state=0)),
    ("DecisionTreeRegressor(2 targets)", lambda: DecisionTreeRegressor(max_depth=5, random_state=0)),
    ("LinearRegression(2 targets)", lambda: LinearRegression()),
]

TRANSFORMERS = [
    ("StandardScaler", lambda: StandardScaler()),
    ("StandardScaler(with_mean=False)", lambda: StandardScaler(with_mean=False)),
    ("MinMaxScaler(-1,1)", lambda: MinMaxScaler(feature_range=(-1, 1))),
    ("MaxAbsScaler", lambda: MaxAbsScaler()),
    ("RobustScaler", lambda: RobustScaler()),
    ("Pipeline(StandardScaler,MinMaxScaler)", lambda: make_pipeline(StandardScaler(), MinMaxScaler())),
]


# --------------------------------------------------------------------------
# skl2onnx examples
# --------------------------------------------------------------------------
SKL2ONNX_CASES = {
    "iris_random_forest": ("iris", lambda: RandomForestClassifier(max_depth=6, n_estimators=10, random_state=0)),
    "wine_scaled_logistic": ("wine", lambda: make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))),
    "breast_cancer_gbm": ("breast_cancer", lambda: GradientBoostingClassifier(n_estimators=40, random_state=0)),
    "diabetes_gbm_regressor": ("diabetes", lambda: GradientBoostingRegressor(n_estimators=50, random_state=0)),
}


def skl2onnx_reference(folder):
    d = os.path.join(SKL2ONNX_DIR, folder)
    X = np.load(os.path.join(d, "X_test.npy"))
    y_pred = np.load(os.path.join(d, "y_pred.npy"))
    out = reference.run(os.path.join(d, "model.onnx"), {"X": X})
    if "label" in out:
        proba = np.load(os.path.join(d, "proba.npy"))
        agree = float(np.mean(out["label"] == y_pred))
        err = float(np.max(np.abs(out["probabilities"] - proba)))
        return agree >= LABEL_AGREEMENT and err <= PROBA_TOL, \
            "labels %.4f agree, max proba err %.2e" % (agree, err)
    e = rel_err(out["variable"][:, 0], y_pred)
    return e <= REG_RTOL, "max rel err %.2e" % e


def _attr_dict(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def graphs_identical(ours, theirs):
    """Describe the first difference between two models' graphs, or None."""
    if [(o.domain, o.version) for o in ours.opset_import] != \
            [(o.domain, o.version) for o in theirs.opset_import]:
        return "opset_import differs"
    if ours.ir_version != theirs.ir_version:
        return "ir_version %d vs %d" % (ours.ir_version, theirs.ir_version)
    g, h = ours.graph, theirs.graph
    if g.name != h.name:
        return "graph name %r vs %r" % (g.name, h.name)
    if list(g.input) != list(h.input) or list(g.output) != list(h.output):
        return "inputs/outputs differ"
    if len(g.node) != len(h.node):
        return "%d nodes vs %d" % (len(g.node), len(h.node))
    for a, b in zip(g.node, h.node):
        sa = (a.op_type, a.domain, a.name, list(a.input), list(a.output))
        sb = (b.op_type, b.domain, b.name, list(b.input), list(b.output))
        if sa != sb:
            return "node %s vs %s" % (sa, sb)
        da, db = _attr_dict(a), _attr_dict(b)
        if sorted(da) != sorted(db):
            return "%s attributes %s vs %s" % (a.op_type, sorted(da), sorted(db))
        for k in da:
            if da[k] != db[k]:
                return "%s.%s differs" % (a.op_type, k)
    if len(g.initializer) != len(h.initializer):
        return "initializers differ"
    return None


def skl2onnx_graph_match(folder):
    ds, make = SKL2ONNX_CASES[folder]
    X, y = getattr(datasets, "load_" + ds)(return_X_y=True)
    # the examples were trained on float32 features, 70/30 split, random_state=42
    Xtr, _, ytr, _ = train_test_split(X.astype(np.float32), y, test_size=0.3, random_state=42)
    est = make().fit(Xtr, ytr)
    ours = mote_sklearn.to_onnx(est, X.shape[1])
    theirs = onnx.load(os.path.join(SKL2ONNX_DIR, folder, "model.onnx"))
    diff = graphs_identical(ours, theirs)
    return diff is None, diff or "same nodes, names and attribute values as skl2onnx"


# --------------------------------------------------------------------------
# reference evaluator: hand-built trees (all node modes, missing values, ...)
# --------------------------------------------------------------------------
_CMP = {"BRANCH_LEQ": lambda x, t: x <= t, "BRANCH_LT": lambda x, t: x < t,
        "BRANCH_GTE": lambda x, t: x >= t, "BRANCH_GT": lambda x, t: x > t,
        "BRANCH_EQ": lambda x, t: x == t, "BRANCH_NEQ": lambda x, t: x != t}


def _random_tree_attrs(rng, n_trees, depth, n_features, n_out, modes, track_missing):
    """Complete binary trees with random modes / thresholds; node ids shuffled."""
    a = {k: [] for k in ("nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_modes",
                         "nodes_values", "nodes_truenodeids", "nodes_falsenodeids",
                         "nodes_missing_value_tracks_true", "nodes_hitrates")}
    leaves = []
    for t in range(n_trees):
        n_nodes = 2 ** (depth + 1) - 1
        ids = rng.permutation(n_nodes) + 100      # arbitrary node ids
        for i in range(n_nodes):
            a["nodes_treeids"].append(t)
            a["nodes_nodeids"].append(int(ids[i]))
            a["nodes_hitrates"].append(1.0)
            if 2 * i + 1 < n_nodes:
                mode = modes[rng.integers(len(modes))]
                a["nodes_modes"].append(mode)
                a["nodes_featureids"].append(int(rng.integers(n_features)))
                a["nodes_values"].append(float(np.float32(rng.integers(-3, 4) * 0.5)))
                a["nodes_truenodeids"].append(int(ids[2 * i + 1]))
                a["nodes_falsenodeids"].append(int(ids[2 * i + 2]))
                a["nodes_missing_value_tracks_true"].append(int(track_missing and rng.random() < 0.5))
            else:
                a["nodes_modes"].append("LEAF")
                a["nodes_featureids"].append(0)
                a["nodes_values"].append(0.0)
                a["nodes_truenodeids"].append(0)
                a["nodes_falsenodeids"].append(0)
                a["nodes_missing_value_tracks_true"].append(0)
                leaves.append((t, int(ids[i])))
    weights = []
    for (t, nid) in leaves:
        for k in range(n_out):
            weights.append((t, nid, k, float(np.float32(rng.normal()))))
    return a, weights


def _walk(a, weights, x, n_out):
    """Per-row python traversal: list of per-tree leaf weight vectors."""
    nodes = {}
    for i in range(len(a["nodes_treeids"])):
        nodes[(a["nodes_treeids"][i], a["nodes_nodeids"][i])] = i
    roots = [i for i in range(len(a["nodes_treeids"]))
             if i == 0 or a["nodes_treeids"][i] != a["nodes_treeids"][i - 1]]
    per_tree = []
    for r in roots:
        i = r
        t = a["nodes_treeids"][i]
        while a["nodes_modes"][i] != "LEAF":
            v = x[a["nodes_featureids"][i]]
            th = np.float32(a["nodes_values"][i])
            go = bool(_CMP[a["nodes_modes"][i]](v, th)) or \
                (a["nodes_missing_value_tracks_true"][i] == 1 and np.isnan(v))
            i = nodes[(t, a["nodes_truenodeids"][i] if go else a["nodes_falsenodeids"][i])]
        w = np.zeros(n_out, dtype=np.float32)
        for (tt, nid, k, val) in weights:
            if tt == t and nid == a["nodes_nodeids"][i]:
                w[k] = np.float32(w[k] + np.float32(val))
        per_tree.append(w)
    return per_tree


def _make_node(op, a, weights, prefix, extra):
    attrs = dict(a)
    attrs["%s_treeids" % prefix] = [w[0] for w in weights]
    attrs["%s_nodeids" % prefix] = [w[1] for w in weights]
    attrs["%s_ids" % prefix] = [w[2] for w in weights]
    attrs["%s_weights" % prefix] = [w[3] for w in weights]
    attrs.update(extra)
    return helper.make_node(op, ["X"], ["label", "probabilities"] if op.endswith("Classifier")
                            else ["variable"], domain="ai.onnx.ml", **attrs)


def _model_of(node, n_features, outputs):
    g = helper.make_graph([node], "t", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, n_features])],
                          outputs)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("ai.onnx.ml", 1), helper.make_opsetid("", 15)])
    onnx.checker.check_model(m)
    return m


def _np_softmax(s):
    e = np.exp(s - s.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def reference_tree_modes():
    rng = np.random.default_rng(0)
    F = 4
    modes = list(_CMP)
    X = (rng.integers(-4, 5, size=(300, F)) * 0.5).astype(np.float32)   # hits thresholds exactly
    X[rng.random(X.shape) < 0.1] = np.nan
    a, weights = _random_tree_attrs(rng, 5, 4, F, 3, modes, True)
    base = [0.25, -0.5, 1.0]
    details = []
    # regressor, 3 targets, SUM / AVERAGE / MIN / MAX with base values
    per_row = [_walk(a, weights, x, 3) for x in X]
    for agg in ("SUM", "AVERAGE", "MIN", "MAX"):
        node = _make_node("TreeEnsembleRegressor", a, weights, "target",
                          dict(n_targets=3, aggregate_function=agg, base_values=base))
        m = _model_of(node, F, [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 3])])
        got = reference.run(m, {"X": X})["variable"]
        if agg == "SUM":
            want = np.array([np.sum(t, axis=0) for t in per_row]) + base
        elif agg == "AVERAGE":
            want = np.array([np.sum(t, axis=0) for t in per_row]) / 5 + base
        elif agg == "MIN":
            want = np.array([np.min(t, axis=0) for t in per_row]) + base
        else:
            want = np.array([np.max(t, axis=0) for t in per_row]) + base
        e = float(np.max(np.abs(got - want)))
        details.append("%s %.1e" % (agg, e))
        if e > 1e-5:
            return False, "regressor %s: max err %.2e" % (agg, e)
    # classifier, 3 classes, SOFTMAX / SOFTMAX_ZERO / LOGISTIC / NONE
    for post in ("NONE", "SOFTMAX", "SOFTMAX_ZERO", "LOGISTIC"):
        node = _make_node("TreeEnsembleClassifier", a, weights, "class",
                          dict(classlabels_int64s=[10, 20, 30], base_values=base, post_transform=post))
        m = _model_of(node, F, [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                                helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 3])])
        out = reference.run(m, {"X": X})
        raw = np.array([np.sum(t, axis=0) for t in per_row]) + base
        want_label = np.array([10, 20, 30])[np.argmax(raw, axis=1)]
        if post == "SOFTMAX":
            want = _np_softmax(raw)
        elif post == "SOFTMAX_ZERO":
            e_ = np.where(np.abs(raw) > 1e-7, np.exp(raw - raw.max(axis=1, keepdims=True)), 0.0)
            want = e_ / e_.sum(axis=1, keepdims=True)
        elif post == "LOGISTIC":
            want = 1.0 / (1.0 + np.exp(-raw))
        else:
            want = raw
        e = float(np.max(np.abs(out["probabilities"] - want)))
        if not np.array_equal(out["label"], want_label) or e > 1e-5:
            return False, "classifier %s: labels %s, max err %.2e" % (
                post, np.array_equal(out["label"], want_label), e)
        details.append("%s %.1e" % (post, e))
    # single target regressor with PROBIT on values squashed into (0, 1)
    w1 = [(t, n, 0, float(np.float32(0.1 * abs(v) + 0.01))) for (t, n, k, v) in weights if k == 0]
    node = _make_node("TreeEnsembleRegressor", a, w1, "target",
                      dict(n_targets=1, aggregate_function="AVERAGE", post_transform="PROBIT"))
    m = _model_of(node, F, [helper.make_tensor_value_info("variable", TensorProto.FLOAT, [None, 1])])
    got = reference.run(m, {"X": X})["variable"][:, 0]
    p = np.array([np.sum(_walk(a, w1, x, 1), axis=0)[0] for x in X]) / 5
    from math import erf  # probit = sqrt(2) erfinv(2p - 1); check via erf round trip
    back = np.array([0.5 * (1 + erf(v / np.sqrt(2))) for v in got])
    e = float(np.max(np.abs(back - p)))   # onnxruntime's erfinv is an approximation (~2e-3)
    if e > 5e-3:
        return False, "PROBIT: max err %.2e" % e
    details.append("PROBIT %.1e" % e)
    return True, ", ".join(details)


def reference_binary_conventions():
    """onnxruntime's binary TreeEnsembleClassifier conventions."""
    rng = np.random.default_rng(1)
    F = 3
    X = rng.normal(size=(200, F)).astype(np.float32)
    a, weights = _random_tree_attrs(rng, 3, 3, F, 1, ["BRANCH_LEQ"], False)
    per_row = np.array([np.sum(_walk(a, weights, x, 1), axis=0)[0] for x in X])
    outs = [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])]
    # mixed-sign weights + LOGISTIC + one base value: GBM binary
    node = _make_node("TreeEnsembleClassifier", a, weights, "class",
                      dict(classlabels_int64s=[3, 7], base_values=[0.3], post_transform="LOGISTIC"))
    out = reference.run(_model_of(node, F, outs), {"X": X})
    s = per_row + 0.3
    want = np.stack([1 / (1 + np.exp(s)), 1 / (1 + np.exp(-s))], axis=1)
    ok1 = np.array_equal(out["label"], np.where(s > 0, 7, 3)) and np.max(np.abs(out["probabilities"] - want)) < 1e-6
    # positive weights, no base values, NONE: forest binary, label = p > 0.5, [1-p, p]
    wpos = [(t, n, k, abs(v) / 4) for (t, n, k, v) in weights]
    node = _make_node("TreeEnsembleClassifier", a, wpos, "class",
                      dict(classlabels_int64s=[3, 7], post_transform="NONE"))
    out = reference.run(_model_of(node, F, outs), {"X": X})
    p = np.array([np.sum(_walk(a, wpos, x, 1), axis=0)[0] for x in X])
    ok2 = np.array_equal(out["label"], np.where(p > 0.5, 7, 3)) and \
        np.max(np.abs(out["probabilities"] - np.stack([1 - p, p], axis=1))) < 1e-6
    return ok1 and ok2, "GBM-style %s, forest-style %s" % (ok1, ok2)


# --------------------------------------------------------------------------
# errors and CLI
# --------------------------------------------------------------------------
def reference_svm_modes():
    """SVMClassifier / SVMRegressor paths skl2onnx never writes (linear mode,
    one_class, post transforms), against formulas written here."""
    rng = np.random.RandomState(3)
    X = rng.randn(50, 4).astype(np.float32)
    ok, notes = True, []

    def model(op, attrs, n_out_cols, classifier=True):
        node = helper.make_node(op, ["X"], ["label", "scores"] if classifier else ["y"], domain="ai.onnx.ml", **attrs)
        outs = [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                helper.make_tensor_value_info("scores", TensorProto.FLOAT, [None, n_out_cols])] if classifier else \
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])]
        return _model_of(node, 4, outs)

    # Linear mode (no support vectors): scores = X W^T + rho[0].
    W = rng.randn(3, 4).astype(np.float32)
    out = reference.run(model("SVMClassifier", dict(coefficients=W.ravel().tolist(), rho=[0.5],
                                                    classlabels_ints=[4, 5, 6], post_transform="SOFTMAX"), 3),
                        {"X": X})
    s = X.astype(np.float64) @ W.T + 0.5
    ok &= np.array_equal(out["label"], np.array([4, 5, 6])[np.argmax(s, axis=1)])
    ok &= np.abs(out["scores"] - _np_softmax(s)).max() < 1e-5
    notes.append("linear softmax")
    # Linear mode, two classes: onnxruntime's binary label rules.
    for W2, rule in ((np.abs(W[:2]), lambda m: m >= 0.5), (W[:2], lambda m: m > 0)):
        out = reference.run(model("SVMClassifier", dict(coefficients=W2.ravel().tolist(), rho=[0.0],
                                                        classlabels_ints=[0, 1]), 2), {"X": X})
        s = X.astype(np.float64) @ W2.T
        want = np.where(rule(s.max(axis=1)), 1, np.argmax(s, axis=1))
        ok &= np.array_equal(out["label"], want)
    notes.append("binary rules")
    # Regressor: linear mode and one_class.
    w = rng.randn(4).astype(np.float32)
    out = reference.run(model("SVMRegressor", dict(coefficients=w.tolist(), rho=[0.25], n_supports=0), 1, False),
                        {"X": X})
    ok &= np.abs(out["y"][:, 0] - (X.astype(np.float64) @ w + 0.25)).max() < 1e-5
    sv = rng.randn(3, 4).astype(np.float32)
    out = reference.run(model("SVMRegressor", dict(coefficients=[1.0, -2.0, 0.5], rho=[0.1], n_supports=3,
                                                   support_vectors=sv.ravel().tolist(), kernel_type="RBF",
                                                   kernel_params=[0.3, 0.0, 3.0], one_class=1), 1, False),
                        {"X": X})
    d = ((X[:, None, :] - sv[None]) ** 2).sum(axis=2)
    y = np.exp(-0.3 * d) @ np.array([1.0, -2.0, 0.5]) + 0.1
    ok &= np.array_equal(out["y"][:, 0], np.where(y > 0, 1.0, -1.0).astype(np.float32))
    notes.append("regressor linear, one_class")
    # Binary SVC with a post transform: [1 - d, d], no transform applied.
    out = reference.run(model("SVMClassifier", dict(coefficients=[1.0, -1.0], rho=[0.2], vectors_per_class=[1, 1],
                                                    support_vectors=sv[:2].ravel().tolist(), kernel_type="LINEAR",
                                                    classlabels_ints=[7, 9], post_transform="LOGISTIC"), 2),
                        {"X": X})
    dd = X.astype(np.float64) @ sv[0] - X.astype(np.float64) @ sv[1] + 0.2
    ok &= np.abs(out["scores"] - np.stack([1 - dd, dd], axis=1)).max() < 1e-5
    ok &= np.array_equal(out["label"], np.where(dd > 0, 7, 9))
    notes.append("binary LOGISTIC layout")
    return bool(ok), ", ".join(notes)


def expect_error(fn, *needles):
    try:
        fn()
    except mote_sklearn.ExportError as e:
        msg = str(e)
        missing = [n for n in needles if n not in msg]
        return not missing, msg if not missing else "message %r lacks %s" % (msg, missing)
    return False, "no ExportError raised"


def errors():
    from sklearn.neighbors import KNeighborsClassifier
    Xtr, _, ytr, _ = DATA["iris"]
    cases = [
        ("unsupported estimator", lambda: mote_sklearn.to_onnx(KNeighborsClassifier().fit(Xtr, ytr), 4),
         ("KNeighborsClassifier",)),
        ("GBM loss=exponential", lambda: mote_sklearn.to_onnx(
            GradientBoostingClassifier(loss="exponential", n_estimators=3).fit(Xtr, ytr == 1), 4),
         ("GradientBoostingClassifier", "loss='exponential'")),
        ("GBM init estimator", lambda: mote_sklearn.to_onnx(
            GradientBoostingRegressor(init=LinearRegression(), n_estimators=3).fit(Xtr, ytr), 4),
         ("GradientBoostingRegressor", "init=")),
        ("MinMaxScaler clip", lambda: mote_sklearn.to_onnx(MinMaxScaler(clip=True).fit(Xtr), 4),
         ("MinMaxScaler", "clip=True")),
        ("GaussianNB string labels", lambda: mote_sklearn.to_onnx(
            GaussianNB().fit(Xtr, np.array(["a", "b", "c"])[ytr]), 4),
         ("GaussianNB", "class label")),
        ("n_features mismatch", lambda: mote_sklearn.to_onnx(DecisionTreeClassifier().fit(Xtr, ytr), 5),
         ("DecisionTreeClassifier", "fitted on 4 features")),
        ("not fitted", lambda: mote_sklearn.to_onnx(RandomForestClassifier(), 4),
         ("RandomForestClassifier", "not fitted")),
        ("classifier inside pipeline", lambda: mote_sklearn.to_onnx(
            Pipeline([("a", GaussianNB().fit(Xtr, ytr)), ("b", LinearRegression().fit(Xtr, ytr))]), 4),
         ("Pipeline", "GaussianNB")),
        ("multi-output classifier", lambda: mote_sklearn.to_onnx(
            DecisionTreeClassifier().fit(Xtr, np.stack([ytr, ytr], axis=1)), 4),
         ("DecisionTreeClassifier", "multi-output")),
        ("SVC precomputed kernel", lambda: mote_sklearn.to_onnx(
            SVC(kernel="precomputed").fit(Xtr @ Xtr.T, ytr), len(Xtr)), ("SVC", "kernel='precomputed'")),
        ("SVC break_ties", lambda: mote_sklearn.to_onnx(SVC(break_ties=True).fit(Xtr, ytr), 4),
         ("SVC", "break_ties=True")),
        ("SVR callable kernel", lambda: mote_sklearn.to_onnx(SVR(kernel=lambda a, b: a @ b.T).fit(Xtr, ytr), 4),
         ("SVR", "kernel=")),
    ]
    for name, fn, needles in cases:
        run_test("error: " + name, lambda fn=fn, needles=needles: expect_error(fn, *needles))


def cli():
    Xtr, Xte, ytr, _ = DATA["wine"]
    est = make_pipeline(StandardScaler(), GaussianNB()).fit(Xtr, ytr)
    with tempfile.TemporaryDirectory() as tmp:
        pkl = os.path.join(tmp, "est.pkl")
        out = os.path.join(tmp, "est.onnx")
        with open(pkl, "wb") as f:
            pickle.dump(est, f)
        r = subprocess.run([sys.executable, os.path.join(HERE, "export_sklearn.py"), pkl, "-o", out],
                           capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            return False, "exit %d: %s" % (r.returncode, r.stderr)
        m = onnx.load(out)
        onnx.checker.check_model(m)
        got = reference.run(m, {"X": Xte})
        ok = np.array_equal(got["label"], est.predict(Xte)) and \
            np.max(np.abs(got["probabilities"] - est.predict_proba(Xte))) <= PROBA_TOL
        # an unsupported estimator: non-zero exit, message names it, no file
        from sklearn.neighbors import KNeighborsRegressor
        bad = os.path.join(tmp, "bad.pkl")
        with open(bad, "wb") as f:
            pickle.dump(KNeighborsRegressor().fit(Xtr, ytr), f)
        bad_out = os.path.join(tmp, "bad.onnx")
        r2 = subprocess.run([sys.executable, os.path.join(HERE, "export_sklearn.py"), bad, "-o", bad_out],
                            capture_output=True, text=True, timeout=120)
        ok2 = r2.returncode != 0 and "KNeighborsRegressor" in r2.stderr and not os.path.exists(bad_out)
        return ok and ok2, "export ok %s, refusal ok %s (%s)" % (ok, ok2, r2.stderr.strip())


def save_roundtrip():
    Xtr, Xte, ytr, _ = DATA["breast_cancer"]
    est = RandomForestClassifier(n_estimators=5, max_depth=4, random_state=0).fit(Xtr, ytr)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.onnx")
        mote_sklearn.save(est, Xtr.shape[1], path)
        m = onnx.load(path)
        onnx.checker.check_model(m)
        ok = np.array_equal(reference.run(m, {"X": Xte})["label"], est.predict(Xte))
    return ok, "saved model reloads and predicts"


# --------------------------------------------------------------------------
def main():
    t0 = time.time()
    warnings.filterwarnings("ignore")
    for ds in ("iris", "wine", "breast_cancer", "digits"):
        for name, make, scores in CLASSIFIERS:
            run_test("%s/%s" % (ds, name),
                     lambda make=make, ds=ds, scores=scores: eval_classifier(make(), DATA[ds], scores))
    for ds, name, make, scores in EXTRA_CLASSIFIERS:
        run_test("%s/%s" % (ds, name),
                 lambda make=make, ds=ds, scores=scores: eval_classifier(make(), DATA[ds], scores))
    for name, make in REGRESSORS:
        run_test("diabetes/%s" % name, lambda make=make: eval_regressor(make(), DATA["diabetes"]))
    for name, make in MULTI_TARGET:
        run_test("diabetes/%s" % name, lambda make=make: eval_regressor(make(), DATA["diabetes"], y2=True))
    for ds in ("wine", "breast_cancer"):
        for name, make in TRANSFORMERS:
            run_test("%s/%s" % (ds, name), lambda make=make, ds=ds: eval_transformer(make(), DATA[ds]))
    if os.path.isdir(SKL2ONNX_DIR):
        for folder in sorted(SKL2ONNX_CASES):
            if not os.path.exists(os.path.join(SKL2ONNX_DIR, folder, "model.onnx")):
                continue
            run_test("skl2onnx/%s: reference == skl2onnx+sklearn" % folder,
                     lambda folder=folder: skl2onnx_reference(folder))
            run_test("skl2onnx/%s: exporter graph == skl2onnx graph" % folder,
                     lambda folder=folder: skl2onnx_graph_match(folder))
    else:
        print("# %s not found: skl2onnx comparisons skipped" % SKL2ONNX_DIR)
    run_test("reference: all node modes, missing values, aggregates, post transforms",
             reference_tree_modes)
    run_test("reference: binary classifier conventions", reference_binary_conventions)
    run_test("reference: SVM linear mode, one_class, post transforms", reference_svm_modes)
    errors()
    run_test("save() round trip", save_roundtrip)
    run_test("CLI export_sklearn.py", cli)
    print("# %.1f s" % (time.time() - t0))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
