"""Tree models -> ai.onnx.ml TreeEnsembleClassifier / TreeEnsembleRegressor.

Reproduces skl2onnx 1.14 (``skl2onnx/common/tree_ensemble.py`` and the
DecisionTree / RandomForest / GradientBoosting converters):

* one ONNX tree per fitted sklearn tree, ``nodes_nodeids`` = sklearn node index,
  branches are ``BRANCH_LEQ`` with true = left child, leaves are ``LEAF`` with
  feature 0, value 0, children 0; missing-value tracking 0, hit rates 1.0;
* thresholds are stored as float32 rounded *down* when the double threshold is
  not a float32 (sklearn compares ``float32(x) <= double t``; the largest
  float32 ``w <= t`` gives the same decision for every float32 x);
* classifiers: leaf weights are the class distribution at the leaf times the
  tree weight (DecisionTree 1, forests 1/n_estimators, ``post_transform``
  NONE, SUM); with two classes only the positive-class weight is written, with
  ``class_ids`` 0 (ONNX runtimes then use the binary convention [1-p, p]);
* gradient boosting: leaf value * learning_rate, ``base_values`` = the init
  estimator's raw prediction; binary -> one score column with ``LOGISTIC``
  (runtimes return [sigmoid(-s), sigmoid(s)] and label = s > 0); multiclass ->
  tree ``i * n_classes + k`` writes class k, ``SOFTMAX``;
* regressors: ``target_*`` weights, ``n_targets`` = n_outputs, SUM.
"""
import numbers

import numpy as np

from .graph import FLOAT, INT64, ML_DOMAIN, STRING, unsupported


def sklearn_threshold(t):
    """float32 threshold w with (float32 x <= t) <=> (x <= w) (skl2onnx rule)."""
    f = np.float32(t)
    if float(f) <= float(t):
        return f
    return np.nextafter(f, np.float32(-np.inf))


def _empty_attrs(classifier):
    attrs = {
        "post_transform": "NONE",
        "nodes_treeids": [], "nodes_nodeids": [], "nodes_featureids": [],
        "nodes_modes": [], "nodes_values": [], "nodes_truenodeids": [],
        "nodes_falsenodeids": [], "nodes_missing_value_tracks_true": [],
        "nodes_hitrates": [],
    }
    prefix = "class" if classifier else "target"
    for k in ("treeids", "nodeids", "ids", "weights"):
        attrs["%s_%s" % (prefix, k)] = []
    if not classifier:
        attrs["n_targets"] = 0
    return attrs


def add_tree(attrs, classifier, tree, tree_id, tree_weight, weight_id_bias,
             leaf_weights_are_counts):
    """Append one sklearn ``Tree`` (``estimator.tree_``) to the attribute lists."""
    left = tree.children_left
    right = tree.children_right
    feature = tree.feature
    threshold = tree.threshold
    value = tree.value
    prefix = "class" if classifier else "target"
    for i in range(tree.node_count):
        attrs["nodes_treeids"].append(tree_id)
        attrs["nodes_nodeids"].append(i)
        is_branch = left[i] > i or right[i] > i
        if is_branch:
            attrs["nodes_featureids"].append(int(feature[i]))
            attrs["nodes_modes"].append("BRANCH_LEQ")
            attrs["nodes_values"].append(sklearn_threshold(threshold[i]))
            attrs["nodes_truenodeids"].append(int(left[i]))
            attrs["nodes_falsenodeids"].append(int(right[i]))
        else:
            attrs["nodes_featureids"].append(0)
            attrs["nodes_modes"].append("LEAF")
            attrs["nodes_values"].append(0.0)
            attrs["nodes_truenodeids"].append(0)
            attrs["nodes_falsenodeids"].append(0)
        attrs["nodes_missing_value_tracks_true"].append(0)
        attrs["nodes_hitrates"].append(1.0)
        if is_branch:
            continue
        # Leaf: same arithmetic as skl2onnx (python floats, float64).
        weights = value[i].flatten()
        factor = tree_weight
        if leaf_weights_are_counts:
            s = sum(weights)
            factor /= float(s) if s != 0.0 else 1.0
        weights = [w * factor for w in weights]
        if classifier and len(weights) == 2:
            weights = [weights[1]]
        for k, w in enumerate(weights):
            attrs["%s_treeids" % prefix].append(tree_id)
            attrs["%s_nodeids" % prefix].append(i)
            attrs["%s_ids" % prefix].append(k + weight_id_bias)
            attrs["%s_weights" % prefix].append(w)


def _finish(attrs):
    for k in ("nodes_values", "class_weights", "target_weights", "nodes_hitrates",
              "base_values"):
        if k in attrs:
            attrs[k] = np.array(attrs[k], dtype=np.float64).astype(np.float32)
    return attrs


def class_labels(estimator, allow_strings=True):
    """Class labels as ints, or as strings when every class is one, or a clear error."""
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        raise unsupported(estimator, "not fitted (no classes_)")
    if isinstance(classes, list) or (isinstance(classes, np.ndarray) and classes.dtype == object
                                     and len(classes) and isinstance(classes[0], np.ndarray)):
        raise unsupported(estimator, "multi-output classification",
                          "only one target column is supported")
    classes = np.asarray(classes)
    if allow_strings and len(classes) and all(isinstance(c, str) for c in classes):
        labels = [str(c) for c in classes]
    else:
        labels = []
        for c in classes:
            if isinstance(c, (bool, np.bool_)):
                labels.append(int(c))
            elif isinstance(c, numbers.Integral):
                labels.append(int(c))
            elif isinstance(c, numbers.Real) and float(c).is_integer():
                labels.append(int(c))
            else:
                raise unsupported(estimator, "class label %r" % (c,),
                                  "only integer%s class labels are supported; encode other "
                                  "labels as integers before training" % ("" if not allow_strings else " or string"))
    if len(labels) < 2:
        raise unsupported(estimator, "a single class", "need at least two classes")
    return labels


def label_attr(labels, int_key):
    """(attribute, label element type) for `labels`: classlabels_strings and
    STRING for string classes, else `int_key` and INT64."""
    if isinstance(labels[0], str):
        return "classlabels_strings", STRING
    return int_key, INT64


def _check_outputs(estimator):
    n_outputs = getattr(estimator, "n_outputs_", 1)
    if n_outputs != 1:
        raise unsupported(estimator, "n_outputs_=%d" % n_outputs,
                          "multi-output classification is not supported")


def _set_labels(attrs, labels):
    key, _ = label_attr(labels, "classlabels_int64s")
    attrs[key] = labels


def _emit_classifier(builder, estimator, attrs, input_name, outputs):
    labels = attrs.get("classlabels_int64s") or attrs["classlabels_strings"]
    builder.add_node("TreeEnsembleClassifier", [input_name], outputs, domain=ML_DOMAIN,
                     **_finish(attrs))
    _, label_type = label_attr(labels, "classlabels_int64s")
    return [(outputs[0], label_type, [None]), (outputs[1], FLOAT, [None, len(labels)])]


def _emit_regressor(builder, estimator, attrs, input_name, outputs):
    n_targets = attrs["n_targets"]
    builder.add_node("TreeEnsembleRegressor", [input_name], outputs, domain=ML_DOMAIN,
                     **_finish(attrs))
    return [(outputs[0], FLOAT, [None, n_targets])]


def convert_decision_tree_classifier(builder, est, input_name, outputs):
    _check_outputs(est)
    attrs = _empty_attrs(True)
    _set_labels(attrs, class_labels(est))
    add_tree(attrs, True, est.tree_, 0, 1.0, 0, True)
    return _emit_classifier(builder, est, attrs, input_name, outputs)


def convert_forest_classifier(builder, est, input_name, outputs):
    _check_outputs(est)
    attrs = _empty_attrs(True)
    _set_labels(attrs, class_labels(est))
    n = len(est.estimators_)
    tree_weight = 1.0 / n
    for tree_id, tree_est in enumerate(est.estimators_):
        add_tree(attrs, True, tree_est.tree_, tree_id, tree_weight, 0, True)
    return _emit_classifier(builder, est, attrs, input_name, outputs)


def convert_decision_tree_regressor(builder, est, input_name, outputs):
    attrs = _empty_attrs(False)
    attrs["n_targets"] = int(est.n_outputs_)
    add_tree(attrs, False, est.tree_, 0, 1.0, 0, False)
    return _emit_regressor(builder, est, attrs, input_name, outputs)


def convert_forest_regressor(builder, est, input_name, outputs):
    attrs = _empty_attrs(False)
    attrs["n_targets"] = int(est.n_outputs_)
    n = len(est.estimators_)
    tree_weight = 1.0 / n
    for tree_id, tree_est in enumerate(est.estimators_):
        add_tree(attrs, False, tree_est.tree_, tree_id, tree_weight, 0, False)
    return _emit_regressor(builder, est, attrs, input_name, outputs)


def _gbm_init(est, n_raw):
    init = est.init
    if isinstance(init, str) and init == "zero":
        return np.zeros(n_raw)
    if init is None:
        n_features = est.estimators_[0, 0].n_features_in_
        x0 = np.zeros((1, n_features))
        if hasattr(est, "_raw_predict_init"):
            return np.asarray(est._raw_predict_init(x0), dtype=np.float64).ravel()
        raise unsupported(est, "init=None", "this scikit-learn has no _raw_predict_init")
    raise unsupported(est, "init=%r" % (init,),
                      "only init=None or init='zero' can be exported")


def convert_gradient_boosting_classifier(builder, est, input_name, outputs):
    if est.loss not in ("log_loss", "deviance"):
        raise unsupported(est, "loss=%r" % est.loss, "only loss='log_loss' is supported")
    labels = class_labels(est)
    n_classes = len(labels)
    attrs = _empty_attrs(True)
    _set_labels(attrs, labels)
    n_raw = 1 if n_classes == 2 else n_classes
    attrs["base_values"] = [float(v) for v in _gbm_init(est, n_raw)]
    attrs["post_transform"] = "LOGISTIC" if n_classes == 2 else "SOFTMAX"
    lr = est.learning_rate
    n_est = est.n_estimators_
    if n_classes == 2:
        for tree_id in range(n_est):
            add_tree(attrs, True, est.estimators_[tree_id][0].tree_, tree_id, lr, 0, False)
    else:
        for i in range(n_est):
            for c in range(n_classes):
                add_tree(attrs, True, est.estimators_[i][c].tree_, i * n_classes + c,
                         lr, c, False)
    return _emit_classifier(builder, est, attrs, input_name, outputs)


def convert_gradient_boosting_regressor(builder, est, input_name, outputs):
    attrs = _empty_attrs(False)
    attrs["n_targets"] = 1
    init = est.init
    if isinstance(init, str) and init == "zero":
        cst = [0.0]
    elif init is None:
        c = np.asarray(est.init_.constant_, dtype=np.float64)
        cst = [float(x) for x in c.ravel()]
    else:
        raise unsupported(est, "init=%r" % (init,),
                          "only init=None or init='zero' can be exported")
    attrs["base_values"] = cst
    lr = est.learning_rate
    for i in range(est.n_estimators_):
        add_tree(attrs, False, est.estimators_[i][0].tree_, i, lr, 0, False)
    return _emit_regressor(builder, est, attrs, input_name, outputs)
