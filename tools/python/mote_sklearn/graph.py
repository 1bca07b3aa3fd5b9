"""A small ONNX graph builder that names things the way skl2onnx does.

skl2onnx keeps two name spaces (variables and operators).  A new name is the
seed itself if unused, else ``seed1``, ``seed2``, ...  Operators are named after
their op type (``TreeEnsembleClassifier``, ``Scaler``, ``Sub1``...).  Following
the same scheme keeps the graphs produced here line-for-line comparable with
skl2onnx's output.
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

ML_DOMAIN = "ai.onnx.ml"
OPSET = 15          # default domain, as skl2onnx 1.14 writes for these models
ML_OPSET = 1        # ai.onnx.ml
IR_VERSION = 8      # what onnx 1.12 / skl2onnx 1.14 write for opset 15

PRODUCER_NAME = "mote_sklearn"
PRODUCER_VERSION = "0.1.0"


class ExportError(ValueError):
    """An estimator or an option of it that this exporter cannot convert."""


def unsupported(estimator, option, detail=""):
    """Build an ExportError naming the estimator class and the option."""
    name = type(estimator).__name__ if not isinstance(estimator, str) else estimator
    msg = "mote_sklearn cannot export %s: %s" % (name, option)
    if detail:
        msg += " (%s)" % detail
    return ExportError(msg)


def _unique(seed, taken):
    candidate = seed
    i = 1
    while candidate in taken:
        candidate = "%s%d" % (seed, i)
        i += 1
    taken.add(candidate)
    return candidate


class GraphBuilder:
    """Collects nodes, initializers, inputs and outputs of one ONNX graph."""

    def __init__(self):
        self.nodes = []
        self.initializers = []
        self.inputs = []
        self.outputs = []
        self._variables = set()
        self._operators = set()
        # Nodes skl2onnx adds and later drops (Identity): they count in the
        # N<k> names it gives nodes added without a name.
        self.dropped_nodes = 0

    # -- names ---------------------------------------------------------------
    def reserve(self, name):
        """Mark a variable name as taken (graph inputs / final outputs)."""
        if name in self._variables:
            raise RuntimeError("variable name %r already taken" % name)
        self._variables.add(name)
        return name

    def variable(self, seed):
        return _unique(seed, self._variables)

    def operator_name(self, op_type):
        return _unique(op_type, self._operators)

    def anonymous_name(self):
        """skl2onnx's name for a node added without one: N<nodes so far>."""
        name = "N%d" % (len(self.nodes) + self.dropped_nodes)
        self._operators.add(name)
        return name

    # -- graph pieces --------------------------------------------------------
    def add_input(self, name, elem_type, shape):
        self.inputs.append(helper.make_tensor_value_info(name, elem_type, shape))

    def add_output(self, name, elem_type, shape):
        self.outputs.append(helper.make_tensor_value_info(name, elem_type, shape))

    def add_node(self, op_type, inputs, outputs, domain="", node_name=None, **attrs):
        """Add a node named ``node_name`` if given, else after its op type."""
        if isinstance(inputs, str):
            inputs = [inputs]
        if isinstance(outputs, str):
            outputs = [outputs]
        clean = {}
        for k, v in attrs.items():
            clean[k] = _attr_value(v)
        node = helper.make_node(op_type, list(inputs), list(outputs),
                                name=node_name or self.operator_name(op_type),
                                domain=domain or None, **clean)
        self.nodes.append(node)
        return node

    def add_initializer(self, seed, array, dtype):
        """Add a constant; ``dtype`` is the numpy dtype it is stored as."""
        name = self.variable(seed)
        arr = np.asarray(array).astype(dtype)
        self.initializers.append(numpy_helper.from_array(arr, name=name))
        return name

    # -- model ---------------------------------------------------------------
    def make_model(self, graph_name):
        graph = helper.make_graph(self.nodes, graph_name, self.inputs, self.outputs,
                                  initializer=self.initializers)
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid(ML_DOMAIN, ML_OPSET),
                           helper.make_opsetid("", OPSET)],
            producer_name=PRODUCER_NAME,
            producer_version=PRODUCER_VERSION,
        )
        model.ir_version = IR_VERSION
        model.domain = "ai.onnx"
        model.model_version = 0
        model.doc_string = ""
        return model


def _attr_value(v):
    """Turn numpy values into plain Python values helper.make_attribute accepts.

    Float arrays are rounded to float32 first (ONNX float attributes are
    float32), which is what skl2onnx does with ``np.array(..., dtype=float32)``.
    """
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "f":
            return [float(x) for x in v.astype(np.float32).ravel()]
        if v.dtype.kind in "iub":
            return [int(x) for x in v.ravel()]
        if v.dtype.kind in "US":
            return [str(x) for x in v.ravel()]
        raise TypeError("unsupported attribute array dtype %s" % v.dtype)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, (np.integer, np.bool_)):
        return int(v)
    if isinstance(v, (list, tuple)) and v and all(isinstance(x, (float, np.floating)) for x in v):
        return [float(np.float32(x)) for x in v]
    return v


FLOAT = TensorProto.FLOAT
INT64 = TensorProto.INT64
STRING = TensorProto.STRING
