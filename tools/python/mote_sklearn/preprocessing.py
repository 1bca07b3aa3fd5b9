"""Scalers -> ai.onnx.ml Scaler (y = (x - offset) * scale), as skl2onnx 1.14.

StandardScaler  offset = mean_ (0 if with_mean=False), scale = 1 / scale_ (1 if with_std=False)
MinMaxScaler    offset = -min_ / scale_, scale = scale_
                (skl2onnx 1.14 writes -min_ / (scale_ + 1e-8); that 1e-8 shifts the
                offset by a relative 1e-8 / scale_, i.e. 1 % for a feature whose range
                is 1e6, so the exact value is written here.  sklearn never has
                scale_ == 0.)
MaxAbsScaler    offset = 0, scale = 1 / scale_
RobustScaler    offset = center_ (0 if with_centering=False), scale = 1 / scale_ (1 if with_scaling=False)
"""
import numpy as np

from .graph import FLOAT, ML_DOMAIN, unsupported


def _scaler_params(est, n_features):
    name = type(est).__name__
    C = n_features
    if name == "StandardScaler":
        offset = est.mean_ if est.with_mean else np.zeros(C)
        scale = 1.0 / est.scale_ if est.with_std else np.ones(C)
    elif name == "MinMaxScaler":
        if getattr(est, "clip", False):
            raise unsupported(est, "clip=True", "the ONNX Scaler op cannot clip")
        scale = np.asarray(est.scale_, dtype=np.float64)
        if np.any(scale == 0):
            raise unsupported(est, "scale_ == 0", "a zero-width feature_range")
        offset = -np.asarray(est.min_, dtype=np.float64) / scale
    elif name == "MaxAbsScaler":
        scale = 1.0 / est.scale_
        offset = np.zeros(C)
    elif name == "RobustScaler":
        offset = est.center_ if est.with_centering else np.zeros(C)
        scale = 1.0 / est.scale_ if est.with_scaling else np.ones(C)
    else:  # pragma: no cover - dispatch guarantees the type
        raise unsupported(est, "scaler type")
    offset = np.asarray(offset, dtype=np.float64).ravel()
    scale = np.asarray(scale, dtype=np.float64).ravel()
    if offset.size != C or scale.size != C:
        raise unsupported(est, "fitted on %d features, n_features=%d" % (offset.size, C))
    return offset, scale


def convert_scaler(builder, est, input_name, outputs, n_features):
    offset, scale = _scaler_params(est, n_features)
    builder.add_node("Scaler", [input_name], [outputs[0]], domain=ML_DOMAIN,
                     offset=offset, scale=scale)
    return [(outputs[0], FLOAT, [None, n_features])]
