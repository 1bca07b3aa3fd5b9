"""A numpy reference evaluator for the ONNX / ONNX-ML ops mote_sklearn emits.

It follows onnxruntime's CPU kernels (tree_ensemble_common.h,
tree_ensemble_aggregator.h, ml_common.h, linearclassifier.cc, ...), including
their conventions where the ONNX-ML spec is vague, and computes in float32 like
onnxruntime does.  It is the oracle for tools/python/test_export.py.

Supported ops
  ai.onnx.ml: TreeEnsembleClassifier, TreeEnsembleRegressor (modes BRANCH_LEQ,
    BRANCH_LT, BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ, LEAF; missing-value
    tracking; base_values; post_transform NONE / LOGISTIC / SOFTMAX /
    SOFTMAX_ZERO / PROBIT; regressor aggregate_function SUM / AVERAGE / MIN /
    MAX), LinearClassifier, LinearRegressor, Scaler, Normalizer (MAX, L1, L2),
    ArrayFeatureExtractor, SVMClassifier (kernels LINEAR / POLY / RBF /
    SIGMOID, one-vs-one votes, Platt scaling and pairwise coupling, linear
    mode), SVMRegressor (one_class).
  default domain: Add, Sub, Mul, Div, Pow, Exp, Neg, Abs, Less, Sum, Concat,
    MatMul, Identity, Reshape, Cast, ArgMax, ReduceSum (axes input),
    ReduceLogSumExp (axes attribute).

onnxruntime behaviours reproduced on purpose (they matter for binary models):
  * TreeEnsembleClassifier with 2 labels and weights for only one class id
    ("binary case"): label = classlabels[1] if score > 0.5 (all weights >= 0)
    or score > 0 (some weight < 0) else classlabels[0]; probabilities
    [1 - s, s] when all weights >= 0 (no post_transform applied), else
    [sigmoid(-s), sigmoid(s)] with LOGISTIC, [-s, s] otherwise.
  * 2 labels but weights for both classes: label = 1 if score of class 1 > 0
    else 0 (literal 1/0, not classlabels).
  * A single-target TreeEnsembleRegressor adds only the first weight of each
    leaf and applies only PROBIT (other post transforms are ignored).
  * LinearClassifier with one coefficient row and two labels: label by
    score > 0, probabilities [1 - s, s] (only PROBIT is applied).
  * SVMClassifier: labels from one-vs-one votes (d > 0 votes for the first
    class of the pair; ties go to the lower class index) even with
    probabilities; two classes without probabilities give [-d, d] (NONE) or
    [1 - d, d] (other transforms, not applied); in linear mode (no support
    vectors) two classes without prob_a use the binary rule (all weights
    >= 0: second class if the top score >= 0.5, else if it is > 0).
  * SVMRegressor ignores post_transform.
  Where onnxruntime leaves an output element unwritten (a PROBIT binary tree
  classifier, or a lone score column), this evaluator writes 0.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

F32 = np.float32


# --------------------------------------------------------------------------
# scalar helpers (float32, like ml_common.h)
# --------------------------------------------------------------------------
def _logistic(v):
    v = np.asarray(v, dtype=F32)
    with np.errstate(over="ignore"):
        e = (F32(1) / (F32(1) + np.exp(-np.abs(v)))).astype(F32)
    return np.where(v < 0, F32(1) - e, e).astype(F32)


def _erfinv(x):
    x = np.asarray(x, dtype=F32)
    sgn = np.where(x < 0, F32(-1), F32(1)).astype(F32)
    x = ((F32(1) - x) * (F32(1) + x)).astype(F32)
    with np.errstate(divide="ignore", invalid="ignore"):
        lg = np.log(x).astype(F32)
        v = (F32(2) / (F32(3.14159) * F32(0.147)) + F32(0.5) * lg).astype(F32)
        v2 = (F32(1) / F32(0.147) * lg).astype(F32)
        v3 = (-v + np.sqrt(v * v - v2)).astype(F32)
        return (sgn * np.sqrt(v3)).astype(F32)


def _probit(v):
    return (F32(np.sqrt(2.0)) * _erfinv(F32(2) * np.asarray(v, dtype=F32) - F32(1))).astype(F32)


def _softmax_rows(s):
    s = np.asarray(s, dtype=F32)
    m = np.max(s, axis=1, keepdims=True)
    e = np.exp(s - m).astype(F32)
    total = np.zeros((s.shape[0], 1), dtype=F32)
    for j in range(s.shape[1]):          # sequential float32 sum, like the C++ loop
        total[:, 0] = total[:, 0] + e[:, j]
    return (e / total).astype(F32)


def _softmax_zero_rows(s):
    s = np.asarray(s, dtype=F32)
    m = np.max(s, axis=1, keepdims=True)
    exp_neg_max = np.exp(-m).astype(F32)
    nz = (s > F32(1e-7)) | (s < F32(-1e-7))
    e = np.where(nz, np.exp(s - m), s * exp_neg_max).astype(F32)
    total = np.zeros((s.shape[0], 1), dtype=F32)
    for j in range(s.shape[1]):
        total[:, 0] = total[:, 0] + np.where(nz[:, j], e[:, j], F32(0))
    return (e / total).astype(F32)


def _transform_rows(s, post):
    """post_transform on [N, K] scores with K >= 2."""
    if post == "NONE":
        return s.astype(F32)
    if post == "LOGISTIC":
        return _logistic(s)
    if post == "SOFTMAX":
        return _softmax_rows(s)
    if post == "SOFTMAX_ZERO":
        return _softmax_zero_rows(s)
    if post == "PROBIT":
        return _probit(s)
    raise ValueError("unknown post_transform %r" % post)


def _attrs(node):
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        if isinstance(v, bytes):
            v = v.decode("utf-8")
        elif isinstance(v, list) and v and isinstance(v[0], bytes):
            v = [x.decode("utf-8") for x in v]
        out[a.name] = v
    return out


def _as_2d_float(x):
    x = np.asarray(x)
    if x.ndim == 1:
        x = x.reshape(1, -1)
    if x.ndim != 2:
        raise ValueError("expected a 2-D input, got shape %s" % (x.shape,))
    return x.astype(F32)


# --------------------------------------------------------------------------
# Tree ensembles
# --------------------------------------------------------------------------
_MODES = {"BRANCH_LEQ": 0, "BRANCH_LT": 1, "BRANCH_GTE": 2, "BRANCH_GT": 3,
          "BRANCH_EQ": 4, "BRANCH_NEQ": 5, "LEAF": 6}


class _Forest:
    """Node arrays of a TreeEnsemble* node, with leaf weights."""

    def __init__(self, a, prefix, n_outputs):
        treeids = np.asarray(a["nodes_treeids"], dtype=np.int64)
        nodeids = np.asarray(a["nodes_nodeids"], dtype=np.int64)
        n = len(treeids)
        for k in ("nodes_featureids", "nodes_modes", "nodes_values",
                  "nodes_truenodeids", "nodes_falsenodeids"):
            if len(a.get(k, [])) != n:
                raise ValueError("%s has %d entries, nodes_treeids %d" % (k, len(a.get(k, [])), n))
        self.feature = np.asarray(a["nodes_featureids"], dtype=np.int64)
        self.mode = np.array([_MODES.get(m, 5) for m in a["nodes_modes"]], dtype=np.int64)
        self.value = np.asarray(a["nodes_values"], dtype=F32)
        miss = a.get("nodes_missing_value_tracks_true", [])
        self.track_true = np.zeros(n, dtype=bool)
        self.track_true[:len(miss)] = np.asarray(miss, dtype=np.int64)[:n] == 1
        index = {}
        for i in range(n):
            key = (int(treeids[i]), int(nodeids[i]))
            if key in index:
                raise ValueError("node %d in tree %d is already there" % key[::-1])
            index[key] = i
        self.true_pos = np.zeros(n, dtype=np.int64)
        self.false_pos = np.zeros(n, dtype=np.int64)
        tru = a["nodes_truenodeids"]
        fal = a["nodes_falsenodeids"]
        for i in range(n):
            if self.mode[i] == _MODES["LEAF"]:
                continue
            t = int(treeids[i])
            for ids, dst, what in ((tru, self.true_pos, "truenode"), (fal, self.false_pos, "falsenode")):
                key = (t, int(ids[i]))
                if key not in index:
                    raise ValueError("unable to find node %d-%d (%s)" % (key[0], key[1], what))
                if index[key] == i:
                    raise ValueError("node %d-%d points to itself" % (t, int(nodeids[i])))
                dst[i] = index[key]
        # roots: a new tree starts wherever nodes_treeids changes (onnxruntime)
        self.roots = [i for i in range(n) if i == 0 or treeids[i] != treeids[i - 1]]
        # leaf weights, in attribute order; layer j = j-th weight of a (node, id)
        w_tree = a.get(prefix + "_treeids", [])
        w_node = a.get(prefix + "_nodeids", [])
        w_id = a.get(prefix + "_ids", [])
        w_val = np.asarray(a.get(prefix + "_weights", []), dtype=F32)
        self.n_outputs = n_outputs
        self.layers = []          # list of (W [n, n_out] f32, H [n, n_out] bool)
        self.first_weight = np.zeros(n, dtype=F32)   # 1-output path: weights[0]
        self.has_weight = np.zeros(n, dtype=bool)
        counts = {}
        for k in range(len(w_id)):
            key = (int(w_tree[k]), int(w_node[k]))
            if key not in index:
                raise ValueError("unable to find node %d-%d (weights)" % key)
            pos = index[key]
            cls = int(w_id[k])
            if not self.has_weight[pos]:
                self.first_weight[pos] = w_val[k]
                self.has_weight[pos] = True
            if cls < 0 or cls >= n_outputs:
                raise ValueError("weight id %d out of range [0, %d)" % (cls, n_outputs))
            layer = counts.get((pos, cls), 0)
            counts[(pos, cls)] = layer + 1
            while len(self.layers) <= layer:
                self.layers.append((np.zeros((n, n_outputs), dtype=F32),
                                    np.zeros((n, n_outputs), dtype=bool)))
            self.layers[layer][0][pos, cls] = w_val[k]
            self.layers[layer][1][pos, cls] = True
        self.class_ids = sorted(set(int(c) for c in w_id))
        self.all_positive = bool(np.all(w_val >= 0))

    def leaves(self, X, root):
        """Leaf node position reached by every row of X from ``root``."""
        N = X.shape[0]
        pos = np.full(N, root, dtype=np.int64)
        leaf = _MODES["LEAF"]
        rows = np.arange(N)
        for _ in range(len(self.mode) + 1):
            active = self.mode[pos] != leaf
            if not active.any():
                return pos
            r = rows[active]
            p = pos[active]
            x = X[r, self.feature[p]]
            t = self.value[p]
            m = self.mode[p]
            with np.errstate(invalid="ignore"):
                cond = np.select([m == 0, m == 1, m == 2, m == 3, m == 4],
                                 [x <= t, x < t, x >= t, x > t, x == t], default=(x != t))
            cond = cond | (self.track_true[p] & np.isnan(x))
            pos[active] = np.where(cond, self.true_pos[p], self.false_pos[p])
        raise ValueError("tree has a cycle")


def _tree_scores(forest, X, aggregate):
    """Aggregated scores [N, n_out] and has_score flags, in onnxruntime order."""
    N = X.shape[0]
    K = forest.n_outputs
    scores = np.zeros((N, K), dtype=F32)
    has = np.zeros((N, K), dtype=bool)
    for root in forest.roots:
        leaf = forest.leaves(X, root)
        for W, H in forest.layers:
            w = W[leaf]
            h = H[leaf]
            if aggregate in ("SUM", "AVERAGE"):
                scores = np.where(h, scores + w, scores).astype(F32)
            elif aggregate == "MIN":
                scores = np.where(h & (~has | (w < scores)), w, scores).astype(F32)
            elif aggregate == "MAX":
                scores = np.where(h & (~has | (w > scores)), w, scores).astype(F32)
            else:
                raise ValueError("unknown aggregate_function %r" % aggregate)
            has |= h
    return scores, has


def _tree_ensemble_regressor(node, X):
    a = _attrs(node)
    X = _as_2d_float(X)
    n_targets = int(a.get("n_targets", 1))
    aggregate = a.get("aggregate_function", "SUM")
    post = a.get("post_transform", "NONE")
    base = np.asarray(a.get("base_values", []), dtype=F32)
    forest = _Forest(a, "target", max(n_targets, 1))
    n_trees = len(forest.roots)
    N = X.shape[0]
    if n_targets == 1:
        # FinalizeScores1: first weight of each leaf only
        score = np.zeros(N, dtype=F32)
        has = np.zeros(N, dtype=bool)
        for root in forest.roots:
            leaf = forest.leaves(X, root)
            w = forest.first_weight[leaf]
            if aggregate in ("SUM", "AVERAGE"):
                score = (score + w).astype(F32)
            elif aggregate == "MIN":
                score = np.where(~has | (w < score), w, score).astype(F32)
            elif aggregate == "MAX":
                score = np.where(~has | (w > score), w, score).astype(F32)
            else:
                raise ValueError("unknown aggregate_function %r" % aggregate)
            has[:] = True
        origin = base[0] if base.size == 1 else F32(0)
        if aggregate == "AVERAGE":
            score = (score / F32(n_trees)).astype(F32)
        if aggregate in ("MIN", "MAX"):
            score = np.where(has, score + origin, origin).astype(F32)
        else:
            score = (score + origin).astype(F32)
        if post == "PROBIT":
            score = _probit(score)
        return [score.reshape(N, 1)]
    scores, has = _tree_scores(forest, X, aggregate)
    use_base = base.size == n_targets
    if aggregate == "SUM":
        if use_base:
            scores = (scores + base).astype(F32)
    elif aggregate == "AVERAGE":
        scores = (scores / F32(n_trees)).astype(F32)
        if use_base:
            scores = (scores + base).astype(F32)
    else:
        scores = np.where(has, scores, F32(0))
        if use_base:
            scores = (base + scores).astype(F32)
    return [_transform_rows(scores, post)]


def _tree_ensemble_classifier(node, X):
    a = _attrs(node)
    X = _as_2d_float(X)
    if "classlabels_strings" in a and a["classlabels_strings"]:
        labels = list(a["classlabels_strings"])
        label_values = np.array(labels, dtype=object)
    else:
        labels = list(a.get("classlabels_int64s", []))
        label_values = np.array(labels, dtype=np.int64)
    C = len(labels)
    if C < 2:
        raise NotImplementedError("TreeEnsembleClassifier with fewer than 2 labels")
    post = a.get("post_transform", "NONE")
    base = np.asarray(a.get("base_values", []), dtype=F32)
    forest = _Forest(a, "class", C)
    binary_case = C == 2 and len(forest.class_ids) == 1
    all_pos = forest.all_positive
    scores, has = _tree_scores(forest, X, "SUM")
    N = X.shape[0]
    if C > 2:
        for k in range(min(base.size, C)):
            scores[:, k] = np.where(has[:, k], scores[:, k] + base[k], base[k]).astype(F32)
            has[:, k] = True
        masked = np.where(has, scores, -np.inf)
        idx = np.argmax(masked, axis=1)
        label = label_values[idx]
        return [label, _transform_rows(scores, post)]

    s0 = scores[:, 0].copy()
    s1 = scores[:, 1].copy()
    h0 = has[:, 0].copy()
    h1 = has[:, 1].copy()
    was = np.full(N, -1, dtype=np.int64)
    size = np.full(N, 2, dtype=np.int64)
    if base.size == 2:
        p1 = (base[1] + s0).astype(F32)
        s1 = np.where(h1, p1, (s1 + base[1]).astype(F32)).astype(F32)
        s0 = np.where(h1, -p1, (s0 + base[0]).astype(F32)).astype(F32)
    elif base.size == 1:
        s0 = (s0 + base[0]).astype(F32)
        size = np.where(h1, 2, 1)
    elif base.size == 0:
        was[:] = 3
        size = np.where(h1, 2, 1)
    use1 = (size == 2) & h1
    pos = np.where(use1, s1, np.where(h0, s0, F32(0))).astype(F32)
    if binary_case:
        if all_pos:
            positive = pos > F32(0.5)
            was = np.where(positive, 0, 1)
        else:
            positive = pos > F32(0)
            was = np.where(positive, 2, 3)
        label = np.where(positive, label_values[1], label_values[0])
    else:
        label = np.where(pos > F32(0), 1, 0).astype(np.int64)
        if label_values.dtype == object:
            label = label_values[label]
    out = np.zeros((N, 2), dtype=F32)
    two = size == 2
    if two.any():
        out[two] = _transform_rows(np.stack([s0[two], s1[two]], axis=1), post)
    one = ~two
    if one.any():
        s = s0[one]
        w = was[one]
        res = np.zeros((s.shape[0], 2), dtype=F32)
        if post == "PROBIT":
            res[:, 0] = _probit(s)
        else:
            m01 = (w == 0) | (w == 1)
            m23 = (w == 2) | (w == 3)
            res[m01, 0] = F32(1) - s[m01]
            res[m01, 1] = s[m01]
            if post == "LOGISTIC":
                res[m23, 0] = _logistic(-s[m23])
                res[m23, 1] = _logistic(s[m23])
            else:
                res[m23, 0] = -s[m23]
                res[m23, 1] = s[m23]
            other = ~(m01 | m23)
            res[other, 0] = s[other]
        out[one] = res
    return [label, out]


# --------------------------------------------------------------------------
# Linear models, scaler, normalizer
# --------------------------------------------------------------------------
def _linear_scores(a, X, rows_attr_default):
    coef = np.asarray(a.get("coefficients", []), dtype=F32)
    intercepts = np.asarray(a.get("intercepts", []), dtype=F32)
    F = X.shape[1]
    rows = rows_attr_default if rows_attr_default else (intercepts.size or coef.size // F)
    if coef.size != rows * F:
        raise ValueError("coefficients has %d values, expected %d x %d" % (coef.size, rows, F))
    W = coef.reshape(rows, F)
    s = (X @ W.T).astype(F32)
    if intercepts.size:
        s = (s + intercepts).astype(F32)
    return s


def _batched_update(s, post, add_second_class):
    """onnxruntime's ml::batched_update_scores_inplace on [N, K] scores."""
    N, K = s.shape
    if K > 1:
        return _transform_rows(s, post)
    v = s[:, 0]
    if post == "PROBIT":
        out = _probit(v).reshape(N, 1)
        if add_second_class >= 0:
            out = np.concatenate([out, np.zeros((N, 1), dtype=F32)], axis=1)
        return out
    if add_second_class < 0:
        return s.astype(F32)
    if add_second_class in (0, 1):
        return np.stack([F32(1) - v, v], axis=1).astype(F32)
    if post == "LOGISTIC":
        return np.stack([_logistic(-v), _logistic(v)], axis=1).astype(F32)
    return np.stack([-v, v], axis=1).astype(F32)


def _linear_classifier(node, X):
    a = _attrs(node)
    X = _as_2d_float(X)
    post = a.get("post_transform", "NONE")
    strings = a.get("classlabels_strings", [])
    ints = a.get("classlabels_ints", [])
    labels = np.array(strings, dtype=object) if strings else np.array(ints, dtype=np.int64)
    n_intercepts = len(a.get("intercepts", []))
    s = _linear_scores(a, X, n_intercepts)
    N, K = s.shape
    if K == 1:
        positive = s[:, 0] > 0
        if labels.size == 2:
            label = np.where(positive, labels[1], labels[0])
        else:
            label = np.where(positive, 1, 0).astype(np.int64)
    else:
        label = labels[np.argmax(s, axis=1)]
    add_second = 1 if (K == 1 and labels.size == 2) else -1
    if post != "NONE" or add_second >= 0:
        s = _batched_update(s, post, add_second)
    return [label, s]


def _linear_regressor(node, X):
    a = _attrs(node)
    X = _as_2d_float(X)
    targets = int(a.get("targets", 1))
    s = _linear_scores(a, X, targets)
    post = a.get("post_transform", "NONE")
    if post != "NONE":
        s = _batched_update(s, post, -1)
    return [s]


def _scaler(node, X):
    a = _attrs(node)
    X = np.asarray(X).astype(F32)
    offset = np.asarray(a.get("offset", []), dtype=F32)
    scale = np.asarray(a.get("scale", []), dtype=F32)
    stride = X.shape[-1] if X.ndim else 1
    ok = (offset.size == stride and scale.size == stride) or (offset.size == 1 and scale.size == 1)
    if not ok:
        raise ValueError("Scaler: offset/scale sizes %d/%d for %d features"
                         % (offset.size, scale.size, stride))
    return [((X - offset) * scale).astype(F32)]


def _normalizer(node, X):
    a = _attrs(node)
    norm = a.get("norm", "MAX")
    X = np.asarray(X).astype(F32)
    X2 = X.reshape(1, -1) if X.ndim == 1 else X.reshape(-1, X.shape[-1])
    out = X2.copy()
    for i in range(X2.shape[0]):
        row = X2[i]
        if norm == "MAX":
            d = F32(np.max(row)) if row.size else F32(0)
            if d != 0:
                out[i] = row / d
        elif norm == "L1":
            d = F32(0)
            for v in row:
                d = F32(d + abs(v))
            if d != 0:
                out[i] = row / d
        elif norm == "L2":
            sq = (row * row).astype(F32)
            d = F32(0)
            for v in sq:
                d = F32(d + v)
            if d != 0:
                r = np.sqrt(sq / d).astype(F32)
                out[i] = np.where(row < 0, -r, r)
        else:
            raise ValueError("Normalizer: unknown norm %r" % norm)
    return [out.reshape(X.shape).astype(F32)]


def _array_feature_extractor(node, X, idx):
    X = np.asarray(X)
    idx = np.asarray(idx).astype(np.int64).ravel()
    if X.ndim == 0:
        raise ValueError("ArrayFeatureExtractor: scalar input")
    stride = X.shape[-1]
    if idx.size and (idx.min() < 0 or idx.max() >= stride):
        raise ValueError("ArrayFeatureExtractor: index out of range [0, %d)" % stride)
    if X.ndim == 1:
        return [X[idx].reshape(1, idx.size)]
    return [np.take(X, idx, axis=-1)]


# --------------------------------------------------------------------------
# Support vector machines (svmclassifier.cc, svmregressor.cc, ml_common.h)
# --------------------------------------------------------------------------
def _svm_kernel(a, X, SV):
    """Kernel values [N, V] in float32 (dot products accumulated in float64)."""
    kernel = a.get("kernel_type", "LINEAR")
    params = a.get("kernel_params", [])
    gamma, coef0, degree = (F32(params[0]), F32(params[1]), F32(params[2])) if params else (F32(0),) * 3
    if kernel == "RBF":
        out = np.empty((X.shape[0], SV.shape[0]), dtype=F32)
        for r in range(0, X.shape[0], 32):   # float32 sums of squared differences, in chunks
            d = (X[r:r + 32, None, :] - SV[None, :, :]).astype(F32)
            out[r:r + 32] = np.exp(-gamma * (d * d).sum(axis=2, dtype=F32)).astype(F32)
        return out
    dot = X.astype(np.float64) @ SV.astype(np.float64).T
    if kernel == "LINEAR":
        return dot.astype(F32)
    t = (F32(gamma) * dot + coef0).astype(F32)
    if kernel == "POLY":
        return np.power(t, degree).astype(F32)
    if kernel == "SIGMOID":
        return np.tanh(t).astype(F32)
    raise ValueError("unknown kernel_type %r" % kernel)


def _svm_couple(r, k):
    """libsvm's multiclass_probability on [N, k, k] pair probabilities (float32)."""
    N = r.shape[0]
    Q = np.zeros((N, k, k), dtype=F32)
    for i in range(k):
        for j in range(k):
            if j != i:
                Q[:, i, i] = Q[:, i, i] + r[:, j, i] * r[:, j, i]
        for j in range(i + 1, k):
            Q[:, i, j] = -r[:, j, i] * r[:, i, j]
            Q[:, j, i] = Q[:, i, j]
    p = np.full((N, k), F32(1) / F32(k), dtype=F32)
    Qp = np.zeros((N, k), dtype=F32)
    eps = F32(0.005) / F32(k)
    active = np.ones(N, dtype=bool)
    for _ in range(100):
        for i in range(k):
            acc = np.zeros(N, dtype=F32)
            for j in range(k):
                acc = (acc + Q[:, i, j] * p[:, j]).astype(F32)
            Qp[:, i] = np.where(active, acc, Qp[:, i])
        pQp = np.zeros(N, dtype=F32)
        for i in range(k):
            pQp = (pQp + p[:, i] * Qp[:, i]).astype(F32)
        max_error = np.max(np.abs(Qp - pQp[:, None]), axis=1)
        active &= ~(max_error < eps)
        if not active.any():
            break
        for i in range(k):
            diff = ((-Qp[:, i] + pQp) / Q[:, i, i]).astype(F32)
            diff = np.where(active, diff, F32(0))
            p[:, i] = p[:, i] + diff
            one = (F32(1) + diff).astype(F32)
            pQp = ((pQp + diff * (diff * Q[:, i, i] + F32(2) * Qp[:, i])) / one / one).astype(F32)
            for j in range(k):
                Qp[:, j] = ((Qp[:, j] + diff * Q[:, i, j]) / one).astype(F32)
                p[:, j] = (p[:, j] / one).astype(F32)
    return p


def _svm_classifier(node, X):
    a = _attrs(node)
    X = _as_2d_float(X)
    if a.get("classlabels_strings"):
        labels = np.array(a["classlabels_strings"], dtype=object)
    else:
        labels = np.array(a.get("classlabels_ints", []), dtype=np.int64)
    C = labels.size
    post = a.get("post_transform", "NONE")
    coef = np.asarray(a.get("coefficients", []), dtype=F32)
    rho = np.asarray(a.get("rho", []), dtype=F32)
    prob_a = np.asarray(a.get("prob_a", []), dtype=F32)
    prob_b = np.asarray(a.get("prob_b", []), dtype=F32)
    per_class = [int(v) for v in a.get("vectors_per_class", [])]
    V = sum(per_class)
    N, F = X.shape
    if V == 0:  # linear mode: one coefficient row per class, rho[0] added to every score
        s = (X.astype(np.float64) @ coef.reshape(C, F).astype(np.float64).T + rho[0]).astype(F32)
        best = np.argmax(s, axis=1)
        top = s[np.arange(N), best]
        if C == 2 and prob_a.size == 0:
            second = (top >= 0.5) if np.all(coef >= 0) else (top > 0)
            best = np.where(second, 1, best)
        return [labels[best], _transform_rows(s, post)]
    SV = np.asarray(a["support_vectors"], dtype=F32).reshape(V, F)
    K = _svm_kernel(a, X, SV)
    coef = coef.reshape(C - 1, V)
    start = np.concatenate([[0], np.cumsum(per_class)]).astype(np.int64)
    pairs = []
    votes = np.zeros((N, C), dtype=np.int64)
    for i in range(C):
        for j in range(i + 1, C):
            si = slice(start[i], start[i + 1])
            sj = slice(start[j], start[j + 1])
            d = ((K[:, si] * coef[j - 1, si]).astype(np.float64).sum(axis=1) +
                 (K[:, sj] * coef[i, sj]).astype(np.float64).sum(axis=1) + rho[len(pairs)])
            votes[np.arange(N), np.where(d > 0, i, j)] += 1
            pairs.append(d.astype(F32))
    label = labels[np.argmax(votes, axis=1)]
    d = np.stack(pairs, axis=1)
    if prob_a.size:
        v = (d * prob_a + prob_b).astype(F32)
        pair_p = np.clip((F32(1) - _logistic(v)).astype(F32), F32(1e-7), F32(1) - F32(1e-7))
        r = np.zeros((N, C, C), dtype=F32)
        k = 0
        for i in range(C):
            for j in range(i + 1, C):
                r[:, i, j] = pair_p[:, k]
                r[:, j, i] = F32(1) - pair_p[:, k]
                k += 1
        return [label, _transform_rows(_svm_couple(r, C), post)]
    if C == 2:
        s = d[:, 0]
        if post == "PROBIT":
            return [label, np.stack([_probit(s), np.zeros(N, dtype=F32)], axis=1)]
        first = -s if post == "NONE" else (F32(1) - s)
        return [label, np.stack([first, s], axis=1).astype(F32)]
    return [label, _transform_rows(d, post)]


def _svm_regressor(node, X):
    a = _attrs(node)
    X = _as_2d_float(X)
    coef = np.asarray(a.get("coefficients", []), dtype=F32)
    rho = np.asarray(a.get("rho", []), dtype=F32)
    V = int(a.get("n_supports", 0))
    N, F = X.shape
    if V > 0:
        K = _svm_kernel(a, X, np.asarray(a["support_vectors"], dtype=F32).reshape(V, F))
        y = (K.astype(np.float64) @ coef.astype(np.float64) + rho[0]).astype(F32)
    else:
        y = (X.astype(np.float64) @ coef.astype(np.float64) + rho[0]).astype(F32)
    if int(a.get("one_class", 0)):
        y = np.where(y > 0, F32(1), F32(-1))
    return [y.reshape(N, 1)]


# --------------------------------------------------------------------------
# generic ops
# --------------------------------------------------------------------------
_CAST = {onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.DOUBLE: np.float64,
         onnx.TensorProto.INT64: np.int64, onnx.TensorProto.INT32: np.int32,
         onnx.TensorProto.BOOL: np.bool_}


def _reshape(x, shape):
    shape = [int(v) for v in np.asarray(shape).ravel()]
    shape = [x.shape[i] if v == 0 else v for i, v in enumerate(shape)]
    return x.reshape(shape)


def _reduce_axes(x, axes):
    return tuple(int(a) % x.ndim for a in axes) if axes is not None else tuple(range(x.ndim))


def _reduce_log_sum_exp(x, axes, keepdims):
    axes = _reduce_axes(x, axes)
    m = np.max(x, axis=axes, keepdims=True)
    m = np.where(np.isfinite(m), m, 0).astype(x.dtype)
    s = np.sum(np.exp(x - m), axis=axes, keepdims=True)
    out = (np.log(s) + m).astype(x.dtype)
    return out if keepdims else np.squeeze(out, axis=axes)


def _generic(node, ins):
    a = _attrs(node)
    t = node.op_type
    if t == "Add":
        return [np.add(ins[0], ins[1])]
    if t == "Sub":
        return [np.subtract(ins[0], ins[1])]
    if t == "Mul":
        return [np.multiply(ins[0], ins[1])]
    if t == "Div":
        if np.issubdtype(ins[0].dtype, np.integer):
            return [(ins[0] // ins[1]).astype(ins[0].dtype)]
        return [np.divide(ins[0], ins[1]).astype(ins[0].dtype)]
    if t == "Pow":
        return [np.power(ins[0], ins[1].astype(ins[0].dtype)).astype(ins[0].dtype)]
    if t == "Exp":
        return [np.exp(ins[0])]
    if t == "Neg":
        return [np.negative(ins[0])]
    if t == "Abs":
        return [np.abs(ins[0])]
    if t == "Less":
        return [np.less(ins[0], ins[1])]
    if t == "Sum":
        out = ins[0]
        for x in ins[1:]:
            out = np.add(out, x)
        return [out]
    if t == "Concat":
        return [np.concatenate(ins, axis=int(a["axis"]))]
    if t == "MatMul":
        return [np.matmul(ins[0], ins[1])]
    if t == "Identity":
        return [ins[0]]
    if t == "Reshape":
        return [_reshape(ins[0], ins[1])]
    if t == "Cast":
        to = _CAST[a["to"]]
        x = ins[0]
        if np.issubdtype(to, np.integer) and np.issubdtype(x.dtype, np.floating):
            x = np.trunc(x)
        return [x.astype(to)]
    if t == "ArgMax":
        axis = int(a.get("axis", 0))
        keepdims = int(a.get("keepdims", 1))
        x = ins[0]
        if int(a.get("select_last_index", 0)):
            flipped = np.flip(x, axis=axis)
            r = x.shape[axis] - 1 - np.argmax(flipped, axis=axis)
        else:
            r = np.argmax(x, axis=axis)
        r = r.astype(np.int64)
        return [np.expand_dims(r, axis) if keepdims else r]
    if t == "ReduceSum":
        keepdims = bool(int(a.get("keepdims", 1)))
        axes = ins[1] if len(ins) > 1 and ins[1] is not None else None
        x = ins[0]
        if axes is None or np.asarray(axes).size == 0:
            if int(a.get("noop_with_empty_axes", 0)):
                return [x]
            axes = None
        else:
            axes = [int(v) for v in np.asarray(axes).ravel()]
        return [np.sum(x, axis=_reduce_axes(x, axes), keepdims=keepdims).astype(x.dtype)]
    if t == "ReduceLogSumExp":
        keepdims = bool(int(a.get("keepdims", 1)))
        return [_reduce_log_sum_exp(ins[0], a.get("axes"), keepdims)]
    raise NotImplementedError("reference evaluator: op %s not supported" % t)


_ML = {
    "TreeEnsembleClassifier": lambda n, i: _tree_ensemble_classifier(n, i[0]),
    "TreeEnsembleRegressor": lambda n, i: _tree_ensemble_regressor(n, i[0]),
    "LinearClassifier": lambda n, i: _linear_classifier(n, i[0]),
    "LinearRegressor": lambda n, i: _linear_regressor(n, i[0]),
    "Scaler": lambda n, i: _scaler(n, i[0]),
    "Normalizer": lambda n, i: _normalizer(n, i[0]),
    "ArrayFeatureExtractor": lambda n, i: _array_feature_extractor(n, i[0], i[1]),
    "SVMClassifier": lambda n, i: _svm_classifier(n, i[0]),
    "SVMRegressor": lambda n, i: _svm_regressor(n, i[0]),
}


def run(model, feeds, intermediates=False):
    """Evaluate ``model`` (ModelProto or path) on ``feeds`` {input name: array}.

    Returns {output name: array} for the graph outputs (every value computed
    when ``intermediates`` is true).  Float inputs are cast to float32.
    """
    if isinstance(model, (str, bytes)):
        model = onnx.load(model)
    g = model.graph
    values = {}
    for init in g.initializer:
        values[init.name] = numpy_helper.to_array(init)
    for inp in g.input:
        if inp.name in values:
            continue
        if inp.name not in feeds:
            raise KeyError("missing input %r" % inp.name)
        x = np.asarray(feeds[inp.name])
        if inp.type.tensor_type.elem_type == onnx.TensorProto.FLOAT:
            x = x.astype(F32)
        values[inp.name] = x
    for node in g.node:
        ins = [values[n] if n else None for n in node.input]
        if node.domain == "ai.onnx.ml":
            if node.op_type not in _ML:
                raise NotImplementedError("reference evaluator: op ai.onnx.ml.%s not supported"
                                          % node.op_type)
            outs = _ML[node.op_type](node, ins)
        elif node.domain in ("", "ai.onnx"):
            outs = _generic(node, ins)
        else:
            raise NotImplementedError("reference evaluator: domain %r" % node.domain)
        for name, val in zip(node.output, outs):
            if name:
                values[name] = val
    if intermediates:
        return values
    return {o.name: values[o.name] for o in g.output}
