"""mote_sklearn: export fitted scikit-learn estimators to standard ONNX-ML.

A dependency-light alternative to skl2onnx (needs only numpy, scikit-learn and
Debian's python3-onnx) that writes the same graphs skl2onnx 1.14 writes for the
supported estimators, so modelc sees identical models either way:

* opset_import [('ai.onnx.ml', 1), ('', 15)], IR version 8;
* one input ``X`` float32 [None, n_features];
* classifiers: ``label`` int64 [None] and ``probabilities`` float32
  [None, n_classes] (no ZipMap); binary LinearSVC: ``probabilities`` [None, 1]
  holding the decision function, as skl2onnx; SVC / NuSVC without
  probabilities: the decision function ([None, 2] = [d, -d] for two classes,
  [None, n_classes * (n_classes - 1) / 2] for decision_function_shape='ovo'),
  as skl2onnx and onnxruntime;
* regressors: ``variable`` float32 [None, n_targets];
* a transformer alone (or a Pipeline of transformers): ``variable`` float32
  [None, n_features].

Usage::

    import mote_sklearn
    model = mote_sklearn.to_onnx(fitted_estimator, n_features=30)
    mote_sklearn.save(fitted_estimator, 30, "model.onnx")

Unsupported estimators or options raise ``mote_sklearn.ExportError`` naming the
estimator and the option.
"""
import onnx

from . import linear, naive_bayes, preprocessing, svm, trees
from .graph import FLOAT, ExportError, GraphBuilder, unsupported

__all__ = ["to_onnx", "save", "ExportError", "supported_estimators"]

# class name -> (kind, converter).  Exact class names of sklearn's own classes
# (subclasses defined elsewhere are refused: their predict may differ).
_CLASSIFIERS = {
    "DecisionTreeClassifier": trees.convert_decision_tree_classifier,
    "ExtraTreeClassifier": trees.convert_decision_tree_classifier,
    "RandomForestClassifier": trees.convert_forest_classifier,
    "ExtraTreesClassifier": trees.convert_forest_classifier,
    "GradientBoostingClassifier": trees.convert_gradient_boosting_classifier,
    "LogisticRegression": linear.convert_logistic_regression,
    "LinearSVC": linear.convert_linear_svc,
    "GaussianNB": naive_bayes.convert_gaussian_nb,
    "SVC": svm.convert_svc,
    "NuSVC": svm.convert_svc,
}
_REGRESSORS = {
    "DecisionTreeRegressor": trees.convert_decision_tree_regressor,
    "ExtraTreeRegressor": trees.convert_decision_tree_regressor,
    "RandomForestRegressor": trees.convert_forest_regressor,
    "ExtraTreesRegressor": trees.convert_forest_regressor,
    "GradientBoostingRegressor": trees.convert_gradient_boosting_regressor,
    "LinearRegression": linear.convert_linear_regressor,
    "Ridge": linear.convert_linear_regressor,
    "Lasso": linear.convert_linear_regressor,
    "ElasticNet": linear.convert_linear_regressor,
    "LinearSVR": linear.convert_linear_regressor,
    "SGDRegressor": linear.convert_linear_regressor,
    "SVR": svm.convert_svr,
    "NuSVR": svm.convert_svr,
}
_TRANSFORMERS = {
    "StandardScaler": preprocessing.convert_scaler,
    "MinMaxScaler": preprocessing.convert_scaler,
    "MaxAbsScaler": preprocessing.convert_scaler,
    "RobustScaler": preprocessing.convert_scaler,
}


def supported_estimators():
    """Names of the scikit-learn classes this exporter converts (plus Pipeline)."""
    return sorted(list(_CLASSIFIERS) + list(_REGRESSORS) + list(_TRANSFORMERS) + ["Pipeline"])


def _is_sklearn(est):
    return type(est).__module__.split(".")[0] == "sklearn"


def _steps(pipe):
    out = []
    for step_name, step in pipe.steps:
        if step is None or (isinstance(step, str) and step == "passthrough"):
            continue
        if isinstance(step, str):
            raise unsupported(pipe, "step %r = %r" % (step_name, step))
        out.append(step)
    return out


def _kind(est):
    name = type(est).__name__
    if not _is_sklearn(est):
        raise unsupported(est, "estimator type %s.%s" % (type(est).__module__, name),
                          "supported: " + ", ".join(supported_estimators()))
    if name == "Pipeline":
        steps = _steps(est)
        if not steps:
            raise unsupported(est, "a Pipeline without any estimator")
        for s in steps[:-1]:
            if _kind(s) != "transformer":
                raise unsupported(est, "intermediate step %s" % type(s).__name__,
                                  "only scalers (or Pipelines of them) can precede the "
                                  "final step")
        return _kind(steps[-1])
    if name in _CLASSIFIERS:
        return "classifier"
    if name in _REGRESSORS:
        return "regressor"
    if name in _TRANSFORMERS:
        return "transformer"
    raise unsupported(est, "estimator type %s" % name,
                      "supported: " + ", ".join(supported_estimators()))


def _check_fitted(est):
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted
    try:
        check_is_fitted(est)
    except NotFittedError:
        raise unsupported(est, "not fitted", "call fit() before exporting")


def _convert(builder, est, input_name, n_features, out_names):
    """Emit ``est`` reading ``input_name``; returns [(name, elem_type, shape)]."""
    name = type(est).__name__
    if name == "Pipeline":
        steps = _steps(est)
        current = input_name
        for step in steps[:-1]:
            out = builder.variable("variable")
            _convert(builder, step, current, n_features, [out])
            current = out
        return _convert(builder, steps[-1], current, n_features, out_names)
    _check_fitted(est)
    fitted = getattr(est, "n_features_in_", None)
    if fitted is not None and int(fitted) != n_features:
        raise unsupported(est, "fitted on %d features but n_features=%d" % (fitted, n_features))
    if name in _TRANSFORMERS:
        return _TRANSFORMERS[name](builder, est, input_name, out_names, n_features)
    conv = _CLASSIFIERS.get(name) or _REGRESSORS[name]
    return conv(builder, est, input_name, out_names)


def to_onnx(estimator, n_features, name=None):
    """Convert a fitted estimator to an ``onnx.ModelProto`` (checked).

    ``n_features``: number of input columns (the model input is ``X`` float32
    [None, n_features]).  ``name``: graph name, default ``ONNX(<class name>)``
    like skl2onnx.
    """
    try:
        n_features = int(n_features)
    except (TypeError, ValueError):
        raise ExportError("n_features must be a positive integer, got %r" % (n_features,))
    if n_features <= 0:
        raise ExportError("n_features must be a positive integer, got %d" % n_features)
    kind = _kind(estimator)
    builder = GraphBuilder()
    builder.reserve("X")
    if kind == "classifier":
        out_names = [builder.reserve("label"), builder.reserve("probabilities")]
    else:
        out_names = [builder.reserve("variable")]
    builder.add_input("X", FLOAT, [None, n_features])
    outputs = _convert(builder, estimator, "X", n_features, out_names)
    for out_name, elem_type, shape in outputs:
        builder.add_output(out_name, elem_type, shape)
    model = builder.make_model(name or "ONNX(%s)" % type(estimator).__name__)
    # (full_check=True would also run strict shape inference, which onnx 1.12
    # cannot do through a Scaler feeding generic ops: Scaler has no type
    # inference there.  skl2onnx adds no value_info either.)
    onnx.checker.check_model(model)
    return model


def save(estimator, n_features, path, name=None):
    """Convert ``estimator`` and write it to ``path``; returns the ModelProto."""
    model = to_onnx(estimator, n_features, name=name)
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    return model
