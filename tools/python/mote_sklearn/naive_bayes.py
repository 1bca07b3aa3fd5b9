"""GaussianNB -> generic ONNX ops, the graph skl2onnx 1.14 emits.

Joint log likelihood (jll, [N, C]) exactly as sklearn's
``GaussianNB._joint_log_likelihood``::

    reshaped_input = Reshape(X, [-1, 1, F])                      # [N, 1, F]
    subtracted     = Sub(reshaped_input, theta)                  # theta [1, C, F]
    pow_result     = Pow(subtracted, 2.0)                        # scalar exponent
    div_result     = Div(pow_result, sigma)                      # sigma = var_ [1, C, F]
    reduced_sum    = ReduceSum(div_result, axes=[2], keepdims=0) # [N, C] (axes as input, opset 13+)
    mul_result     = Mul(reduced_sum, 0.5)
    part_ll        = Sub(sigma_sum_log, mul_result)  # sigma_sum_log = -0.5*sum(log(2*pi*var_)) [1, C]
    sum_result     = Add(jointi, part_ll)            # jointi = log(class_prior_) [1, C]

Label::

    argmax_output  = ArgMax(sum_result, axis=1)                  # [N, 1] int64 (keepdims=1)
    afe            = ArrayFeatureExtractor(classes, argmax_output)  # classes int32 [C] -> [1, N]
    label          = Cast(Reshape(Cast(afe, FLOAT), [-1]), INT64)   # [N]

Probabilities (normalised in log space)::

    lse            = ReduceLogSumExp(sum_result, axes=[1], keepdims=0)  # [N] (axes attribute, opset < 18)
    log_prob       = Sub(sum_result, Reshape(lse, [-1, 1]))
    probabilities  = Exp(log_prob)                                       # [N, C]
"""
import numpy as np

from .graph import FLOAT, INT64, ML_DOMAIN, unsupported
from .trees import class_labels


def convert_gaussian_nb(builder, est, input_name, outputs):
    labels = class_labels(est, allow_strings=False)  # an int32 class constant in skl2onnx's graph
    if min(labels) < -2 ** 31 or max(labels) >= 2 ** 31:
        raise unsupported(est, "class labels outside int32",
                          "skl2onnx stores GaussianNB classes as int32")
    n_classes = len(labels)
    var = est.var_ if hasattr(est, "var_") else est.sigma_
    theta = np.asarray(est.theta_, dtype=np.float64)
    features = theta.shape[1]
    jointi = np.log(est.class_prior_)
    sigma_sum_log = -0.5 * np.sum(np.log(2.0 * np.pi * var), axis=1)

    f32 = np.float32
    b = builder
    sum_result = b.variable("sum_result")
    argmax_output = b.variable("argmax_output")
    cast2_result = b.variable("cast2_result")
    reshaped_result = b.variable("reshaped_result")
    classes = b.add_initializer("classes", np.array(labels), np.int32)
    rlse = b.variable("reduce_log_sum_exp_result")
    log_prob = b.variable("log_prob")
    afe_result = b.variable("array_feature_extractor_result")

    theta_name = b.add_initializer("theta", theta.reshape((1, -1, features)), f32)
    sigma_name = b.add_initializer("sigma", np.asarray(var).reshape((1, -1, features)), f32)
    jointi_name = b.add_initializer("jointi", jointi.reshape((1, -1)), f32)
    ssl_name = b.add_initializer("sigma_sum_log", sigma_sum_log.reshape((1, -1)), f32)
    exponent = b.add_initializer("exponent", np.array(2.0), f32)
    prod_operand = b.add_initializer("prod_operand", np.array(0.5), f32)
    reshaped_input = b.variable("reshaped_input")
    subtracted = b.variable("subtracted_input")
    pow_result = b.variable("pow_result")
    div_result = b.variable("div_result")
    reduced_sum = b.variable("reduced_sum")
    mul_result = b.variable("mul_result")
    part_ll = b.variable("part_log_likelihood")

    shape3 = b.add_initializer("shape_tensor", np.array([-1, 1, features]), np.int64)
    b.add_node("Reshape", [input_name, shape3], [reshaped_input])
    b.add_node("Sub", [reshaped_input, theta_name], [subtracted])
    b.add_node("Pow", [subtracted, exponent], [pow_result])
    b.add_node("Div", [pow_result, sigma_name], [div_result])
    axis = b.add_initializer("axis", np.array([2]), np.int64)
    b.add_node("ReduceSum", [div_result, axis], [reduced_sum], keepdims=0)
    b.add_node("Mul", [reduced_sum, prod_operand], [mul_result])
    b.add_node("Sub", [ssl_name, mul_result], [part_ll])
    b.add_node("Add", [jointi_name, part_ll], [sum_result])

    b.add_node("ArgMax", [sum_result], [argmax_output], axis=1)
    b.add_node("ReduceLogSumExp", [sum_result], [rlse], axes=[1], keepdims=0)
    reshaped_log_prob = b.variable("reshaped_log_prob")
    shape2 = b.add_initializer("shape_tensor", np.array([-1, 1]), np.int64)
    b.add_node("Reshape", [rlse, shape2], [reshaped_log_prob])
    b.add_node("Sub", [sum_result, reshaped_log_prob], [log_prob])
    b.add_node("Exp", [log_prob], [outputs[1]])
    b.add_node("ArrayFeatureExtractor", [classes, argmax_output], [afe_result], domain=ML_DOMAIN)
    b.add_node("Cast", [afe_result], [cast2_result], to=FLOAT)
    shape1 = b.add_initializer("shape_tensor", np.array([-1]), np.int64)
    b.add_node("Reshape", [cast2_result, shape1], [reshaped_result])
    b.add_node("Cast", [reshaped_result], [outputs[0]], to=INT64)
    return [(outputs[0], INT64, [None]), (outputs[1], FLOAT, [None, n_classes])]
