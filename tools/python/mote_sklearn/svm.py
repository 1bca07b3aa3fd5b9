"""Kernel SVMs -> ai.onnx.ml SVMClassifier / SVMRegressor, as skl2onnx 1.14.

Reproduces skl2onnx's ``support_vector_machines.py`` (and, for multiclass
SVCs with ``decision_function_shape='ovr'`` and no probabilities,
``ovr_decision_function.py``):

SVC, NuSVC
    ``SVMClassifier`` (node ``SVMc``) with ``kernel_type`` = kernel.upper(),
    ``kernel_params`` = [_gamma, coef0, degree], ``support_vectors``,
    ``vectors_per_class`` = n_support_, ``coefficients`` = dual_coef_ and
    ``rho`` = intercept_ (both negated with two classes: sklearn flips libsvm's
    signs for binary models, skl2onnx flips them back), ``prob_a`` /
    ``prob_b`` = probA_ / probB_ when fitted with probability=True,
    ``post_transform`` NONE, ``classlabels_ints``. Its scores go through
    ``Cast(to=FLOAT)`` to ``probabilities``:
      * probability=True: [N, C] probabilities (libsvm's Platt scaling and
        pairwise coupling, as predict_proba);
      * two classes: [N, 2] = [d, -d] where d is sklearn's decision_function
        (onnxruntime writes [-s, s] of libsvm's s = -d);
      * decision_function_shape='ovo': [N, C(C-1)/2] pairwise decision values;
      * otherwise ('ovr'): sklearn's one-vs-rest decision function built from
        the pairwise values with Less, Cast, Neg, ArrayFeatureExtractor, Add,
        Sum, Concat, Abs, Mul and Div, as skl2onnx writes it (Identity nodes
        removed, as skl2onnx does by default).
    ``label`` comes from the one-vs-one votes, as sklearn's predict.
SVR, NuSVR
    ``SVMRegressor`` (node ``SVM``) with ``n_supports`` = len(support_),
    ``coefficients`` = dual_coef_, ``rho`` = intercept_, then
    ``Cast(to=FLOAT)`` to ``variable`` [N, 1].
"""
import numpy as np

from .graph import FLOAT, ML_DOMAIN, unsupported
from .trees import class_labels, label_attr

_KERNELS = ("linear", "poly", "rbf", "sigmoid")


def _common_attrs(est, kernel_params_f32):
    kernel = est.kernel
    if not isinstance(kernel, str) or kernel not in _KERNELS:
        raise unsupported(est, "kernel=%r" % (kernel,), "supported: " + ", ".join(_KERNELS))
    for name in ("support_vectors_", "dual_coef_"):
        if not isinstance(getattr(est, name), np.ndarray):
            raise unsupported(est, "sparse %s" % name, "fit on dense features")
    params = [est._gamma, est.coef0, est.degree]
    params = [np.float32(p) for p in params] if kernel_params_f32 else [float(p) for p in params]
    return dict(kernel_type=kernel.upper(), kernel_params=params,
                support_vectors=np.asarray(est.support_vectors_, dtype=np.float32).ravel())


def convert_svc(builder, est, input_name, outputs):
    labels = class_labels(est)
    n_classes = len(labels)
    attrs = _common_attrs(est, kernel_params_f32=False)
    coef = np.asarray(est.dual_coef_, dtype=np.float64).ravel()
    rho = np.asarray(est.intercept_, dtype=np.float64)
    if n_classes == 2:
        coef, rho = -coef, -rho
    attrs["coefficients"] = coef.astype(np.float32)
    attrs["rho"] = rho.astype(np.float32)
    probability = len(est.probA_) > 0
    if probability:
        attrs["prob_a"] = np.asarray(est.probA_, dtype=np.float32)
    if len(est.probB_) > 0:
        attrs["prob_b"] = np.asarray(est.probB_, dtype=np.float32)
    ovr = est.decision_function_shape == "ovr" and not probability and n_classes > 2
    if ovr and getattr(est, "break_ties", False):
        raise unsupported(est, "break_ties=True", "labels would come from the decision function, "
                                                   "not from the votes the ONNX op counts")
    attrs["post_transform"] = "NONE"
    attrs["vectors_per_class"] = [int(v) for v in est.n_support_]
    label_key, label_type = label_attr(labels, "classlabels_ints")
    attrs[label_key] = labels
    scores = builder.variable("before_ovr") if ovr else outputs[1]
    svm_out = builder.variable("SVM02")
    builder.add_node("SVMClassifier", [input_name], [outputs[0], svm_out], domain=ML_DOMAIN,
                     node_name=builder.operator_name("SVMc"), **attrs)
    builder.add_node("Cast", [svm_out], [scores], to=FLOAT)
    if ovr:
        _ovr_decision_function(builder, scores, outputs[1], n_classes)
    n_out = n_classes if (probability or ovr) else (2 if n_classes == 2 else n_classes * (n_classes - 1) // 2)
    return [(outputs[0], label_type, [None]), (outputs[1], FLOAT, [None, n_out])]


def _ovr_decision_function(builder, scores, output, n_classes):
    """sklearn's _ovr_decision_function(scores < 0, -scores, n_classes)."""
    cst0 = builder.add_initializer("cst0", np.array(0), np.float32)
    negative = builder.variable("negative")
    builder.add_node("Less", [scores, cst0], [negative])
    inegative = builder.variable("inegative")
    builder.add_node("Cast", [negative], [inegative], to=FLOAT)
    neg = builder.variable("neg")
    builder.add_node("Neg", [scores], [neg], node_name=builder.anonymous_name())
    # Identity(inegative) and Identity(neg): the inputs of skl2onnx's
    # SklearnOVRDecisionFunction operator, removed from the final graph.
    builder.variable("prob_sign")
    builder.variable("prob_sign")
    builder.variable("ovr_output")  # renamed to the graph output when its Identity goes
    builder.dropped_nodes += 2
    cst3 = builder.add_initializer("cst3", np.array(3), np.float32)
    cst1 = builder.add_initializer("cst1", np.array(1), np.float32)
    sums = [builder.variable("svcsumc_%d" % i) for i in range(n_classes)]
    vote_names = [builder.variable("svcvote_%d" % i) for i in range(n_classes)]
    sum_terms = {n: [] for n in sums}
    vote_terms = {n: [] for n in vote_names}
    k = 0
    for i in range(n_classes):
        for j in range(i + 1, n_classes):
            ind = builder.add_initializer("Cind_%d" % k, np.array(k), np.int64)
            ext = builder.variable("Csvc_%d" % k)
            builder.add_node("ArrayFeatureExtractor", [neg, ind], [ext], domain=ML_DOMAIN,
                             node_name=builder.anonymous_name())
            sum_terms[sums[j]].append(ext)
            cneg = builder.variable("Cneg_%d" % k)
            builder.add_node("Neg", [ext], [cneg], node_name=builder.anonymous_name())
            sum_terms[sums[i]].append(cneg)
            vext = builder.variable("Vsvcv_%d" % k)
            builder.add_node("ArrayFeatureExtractor", [inegative, ind], [vext], domain=ML_DOMAIN,
                             node_name=builder.anonymous_name())
            vote_terms[vote_names[j]].append(vext)
            vneg = builder.variable("Vnegv_%d" % k)
            builder.add_node("Neg", [vext], [vneg], node_name=builder.anonymous_name())
            vneg1 = builder.variable("Vnegv1_%d" % k)
            builder.add_node("Add", [vneg, cst1], [vneg1], node_name="AddCl_%d_%d" % (i, j))
            vote_terms[vote_names[i]].append(vneg1)
            k += 1
    for name, terms in list(sum_terms.items()) + list(vote_terms.items()):
        builder.add_node("Sum", terms, [name])
    conc = builder.variable("Csvcconc")
    builder.add_node("Concat", sums, [conc], axis=1)
    conc_vote = builder.variable("Vsvcconcv")
    builder.add_node("Concat", vote_names, [conc_vote], axis=1)
    cabs = builder.variable("Cabs")
    builder.add_node("Abs", [conc], [cabs])
    abs1 = builder.variable("Cconc_abs1")
    builder.add_node("Add", [cabs, cst1], [abs1], node_name="AddF0")
    abs3 = builder.variable("Cconc_abs3")
    builder.add_node("Mul", [abs1, cst3], [abs3])
    final = builder.variable("Csvcfinal")
    builder.add_node("Div", [conc, abs3], [final])
    builder.add_node("Add", [conc_vote, final], [output], node_name="AddF1")


def convert_svr(builder, est, input_name, outputs):
    attrs = _common_attrs(est, kernel_params_f32=True)
    attrs["coefficients"] = np.asarray(est.dual_coef_, dtype=np.float32).ravel()
    attrs["rho"] = np.asarray(est.intercept_, dtype=np.float32)
    attrs["post_transform"] = "NONE"
    attrs["n_supports"] = int(len(est.support_))
    svm_out = builder.variable("SVM03")
    builder.add_node("SVMRegressor", [input_name], [svm_out], domain=ML_DOMAIN,
                     node_name=builder.operator_name("SVM"), **attrs)
    builder.add_node("Cast", [svm_out], [outputs[0]], to=FLOAT)
    return [(outputs[0], FLOAT, [None, 1])]
