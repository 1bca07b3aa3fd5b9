"""Linear models -> ai.onnx.ml LinearClassifier / LinearRegressor.

Reproduces skl2onnx 1.14 (``linear_classifier.py`` / ``linear_regressor.py``):

LogisticRegression
    ``coefficients`` = coef_ row-major, ``intercepts`` = intercept_; with two
    classes the single row w is written as two rows [-w, w] (intercepts
    [-b, b]) so the op yields two scores.  ``post_transform`` LOGISTIC for
    one-vs-rest (multi_class 'ovr', or 'auto' with two classes or liblinear),
    SOFTMAX otherwise.  ``multi_class`` attribute = 1 unless multi_class='ovr'.
    The op's score output ``probability_tensor`` goes through a
    ``Normalizer(norm='L1')`` to ``probabilities`` (what makes OvR
    probabilities match sklearn's normalised ones).
LinearSVC
    Same coefficient layout, ``post_transform`` NONE (scores =
    decision_function), no Normalizer.  Multiclass: ``probabilities`` = the
    [N, n_classes] scores.  Binary: the op writes [-d, d] to
    ``raw_scores_tensor`` and ``ArrayFeatureExtractor(raw_scores_tensor,
    positive_class_index=1)`` gives ``probabilities`` [N, 1] = decision_function.
LinearRegression, Ridge, Lasso, ElasticNet, LinearSVR, SGDRegressor
    ``LinearRegressor`` with float32 ``coefficients`` / ``intercepts``;
    ``targets`` only when coef_ is 2-D (multi-target).
"""
import numpy as np

from .graph import FLOAT, ML_DOMAIN, unsupported
from .trees import class_labels, label_attr


def _intercepts(est, n_rows):
    b = np.atleast_1d(np.asarray(est.intercept_, dtype=np.float64)).ravel()
    if b.size == 1 and n_rows > 1 and float(b[0]) == 0.0:
        b = np.zeros(n_rows)
    if b.size != n_rows:
        raise unsupported(est, "intercept_ of size %d for %d coefficient rows" % (b.size, n_rows))
    return b


def _coefficients(est, n_classes):
    coef = np.asarray(est.coef_, dtype=np.float64)
    if coef.ndim == 1:
        coef = coef.reshape(1, -1)
    rows = coef.shape[0]
    expected = 1 if n_classes == 2 else n_classes
    if rows != expected:
        raise unsupported(est, "coef_ with %d rows for %d classes" % (rows, n_classes))
    b = _intercepts(est, rows)
    if n_classes == 2:
        coef = np.vstack([-coef, coef])
        b = np.concatenate([-b, b])
    return coef, b


def convert_logistic_regression(builder, est, input_name, outputs):
    labels = class_labels(est)
    label_key, label_type = label_attr(labels, "classlabels_ints")
    n_classes = len(labels)
    coef, b = _coefficients(est, n_classes)
    multi = getattr(est, "multi_class", "auto")
    if multi not in ("auto", "ovr", "multinomial"):
        raise unsupported(est, "multi_class=%r" % (multi,))
    ovr = multi == "ovr" or (multi == "auto" and (n_classes <= 2 or est.solver == "liblinear"))
    prob_tensor = builder.variable("probability_tensor")
    builder.add_node("LinearClassifier", [input_name], [outputs[0], prob_tensor],
                     domain=ML_DOMAIN,
                     coefficients=coef.ravel(), intercepts=b,
                     multi_class=0 if multi == "ovr" else 1,
                     post_transform="LOGISTIC" if ovr else "SOFTMAX",
                     **{label_key: labels})
    builder.add_node("Normalizer", [prob_tensor], [outputs[1]], domain=ML_DOMAIN, norm="L1")
    return [(outputs[0], label_type, [None]), (outputs[1], FLOAT, [None, n_classes])]


def convert_linear_svc(builder, est, input_name, outputs):
    labels = class_labels(est)
    label_key, label_type = label_attr(labels, "classlabels_ints")
    n_classes = len(labels)
    coef, b = _coefficients(est, n_classes)
    multi = getattr(est, "multi_class", "ovr")
    attrs = dict(coefficients=coef.ravel(), intercepts=b,
                 multi_class=0 if multi == "ovr" else 1,
                 post_transform="NONE", **{label_key: labels})
    if n_classes == 2:
        raw = builder.variable("raw_scores_tensor")
        index = builder.add_initializer("positive_class_index", np.array(1), np.int64)
        builder.add_node("LinearClassifier", [input_name], [outputs[0], raw],
                         domain=ML_DOMAIN, **attrs)
        builder.add_node("ArrayFeatureExtractor", [raw, index], [outputs[1]], domain=ML_DOMAIN)
        return [(outputs[0], label_type, [None]), (outputs[1], FLOAT, [None, 1])]
    builder.add_node("LinearClassifier", [input_name], list(outputs), domain=ML_DOMAIN, **attrs)
    return [(outputs[0], label_type, [None]), (outputs[1], FLOAT, [None, n_classes])]


def convert_linear_regressor(builder, est, input_name, outputs):
    coef = np.asarray(est.coef_)
    intercept = np.array([est.intercept_], dtype=np.float64).ravel()
    attrs = dict(coefficients=coef.astype(np.float32).ravel(),
                 intercepts=intercept.astype(np.float32))
    n_targets = 1
    if coef.ndim == 2:
        n_targets = int(coef.shape[0])
        attrs["targets"] = n_targets
    if intercept.size == 1 and n_targets > 1 and float(intercept[0]) == 0.0:
        intercept = np.zeros(n_targets)   # fit_intercept=False with several targets
        attrs["intercepts"] = intercept.astype(np.float32)
    if intercept.size != n_targets:
        raise unsupported(est, "intercept_ of size %d for %d targets" % (intercept.size, n_targets))
    builder.add_node("LinearRegressor", [input_name], [outputs[0]], domain=ML_DOMAIN, **attrs)
    return [(outputs[0], FLOAT, [None, n_targets])]
