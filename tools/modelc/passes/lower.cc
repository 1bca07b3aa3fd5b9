// Lowering imported ops to the runtime's op set, and fusing neighbours.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "passes/passes.h"

namespace mote::modelc {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

const Value& ConstInput(const Graph& g, const Node& n, size_t k, const std::string& what) {
  if (k >= n.inputs.size() || n.inputs[k] < 0 || !g.tensors[n.inputs[k]].is_const()) {
    Unsupported(n, what + " must be a constant (initializer) to be supported");
  }
  return *g.tensors[n.inputs[k]].constant;
}

// Row-major [rows, cols] transpose of a float matrix.
Eigen::ArrayXf Transposed(const Value& v) {
  const int64_t rows = v.shape[0], cols = v.shape[1];
  Eigen::ArrayXf out(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[c * rows + r] = v.f[r * cols + c];
  return out;
}

// Replaces every use of `from` by `to`.
void Rewire(Graph& g, int from, int to) {
  for (Node& n : g.nodes) std::replace(n.inputs.begin(), n.inputs.end(), from, to);
  std::replace(g.outputs.begin(), g.outputs.end(), from, to);
}

// Bias values of length `units` from a constant that broadcasts to [units].
bool BiasFrom(const Value& c, int64_t units, Eigen::ArrayXf* bias) {
  if (c.is_int) return false;
  for (size_t k = 0; k + 1 < c.shape.size(); ++k) {
    if (c.shape[k] != 1) return false;
  }
  if (c.size() == units) {
    *bias = c.f;
  } else if (c.size() == 1) {
    *bias = Eigen::ArrayXf::Constant(units, c.f[0]);
  } else {
    return false;
  }
  return true;
}

int AddFcWeights(Graph& g, const Node& n, Eigen::ArrayXf w, int64_t units, int64_t depth) {
  return g.AddConstant(n.name + ".weights", Value::Float({units, depth}, std::move(w)));
}

void LowerGemm(Graph& g, Node& n) {
  if (n.inputs[0] < 0 || g.tensors[n.inputs[0]].is_const()) Unsupported(n, "a constant input A is not supported");
  if (n.attr_int("transA", 0)) Unsupported(n, "transA=1 is not supported for a computed input A");
  const Value& b = ConstInput(g, n, 1, "input B (weights)");
  if (b.shape.size() != 2) Unsupported(n, "weights must be a matrix");
  const bool trans_b = n.attr_int("transB", 0) != 0;
  const int64_t units = trans_b ? b.shape[0] : b.shape[1];
  const int64_t depth = trans_b ? b.shape[1] : b.shape[0];
  Eigen::ArrayXf w = (trans_b ? b.f : Transposed(b)) * n.attr_float("alpha", 1.0f);
  std::vector<int> inputs = {n.inputs[0], AddFcWeights(g, n, std::move(w), units, depth)};
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
    const Value& c = ConstInput(g, n, 2, "input C (bias)");
    Eigen::ArrayXf bias;
    if (!BiasFrom(c, units, &bias)) Unsupported(n, "bias of shape " + ShapeString(c.shape) + " is not supported");
    bias *= n.attr_float("beta", 1.0f);
    inputs.push_back(g.AddConstant(n.name + ".bias", Value::Float({units}, std::move(bias))));
  }
  n.op = "FullyConnected";
  n.inputs = inputs;
  n.attrs.clear();
}

void LowerMatMul(Graph& g, Node& n) {
  if (g.tensors[n.inputs[0]].is_const()) Unsupported(n, "a constant first input is not supported");
  const Value& b = ConstInput(g, n, 1, "the second input (weights)");
  if (b.shape.size() != 2) Unsupported(n, "the second input must be a matrix");
  n.op = "FullyConnected";
  n.inputs = {n.inputs[0], AddFcWeights(g, n, Transposed(b), b.shape[1], b.shape[0])};
  n.attrs.clear();
}

void LowerClip(Graph& g, Node& n) {
  float lo = n.attr_float("min", -kInf);
  float hi = n.attr_float("max", kInf);
  if (n.inputs.size() > 1 && n.inputs[1] >= 0) lo = ConstInput(g, n, 1, "min").AsFloat(0);
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) hi = ConstInput(g, n, 2, "max").AsFloat(0);
  n.inputs.resize(1);
  n.attrs.clear();
  if (lo == 0.0f && hi == 6.0f) {
    n.op = "Relu6";
  } else if (lo == 0.0f && hi == kInf) {
    n.op = "Relu";
  } else {
    n.op = "Clip";
    n.attrs["min"].f = lo;
    n.attrs["max"].f = hi;
  }
}

void LowerSoftmax(const Graph& g, Node& n) {
  const Shape& s = g.tensors[n.inputs[0]].shape;
  const int64_t rank = static_cast<int64_t>(s.size());
  int64_t axis = n.attr_int("axis", g.opset < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  bool last = axis == rank - 1;
  if (g.opset < 13) {  // coerced to 2-D at `axis`: fine if all but the last dim after it are 1
    last = true;
    for (int64_t k = axis; k + 1 < rank; ++k) last = last && s[k] == 1;
  }
  if (!last) Unsupported(n, "softmax over axis " + std::to_string(axis) + " of " + ShapeString(s) +
                         " is not supported (only the last axis)");
  n.attrs.clear();
  n.attrs["axis"].i = -1;
}

void LowerSubtract(Graph& g, Node& n) {
  const Value& c = ConstInput(g, n, 1, "the subtrahend");
  Value neg = c;
  if (neg.is_int) Unsupported(n, "integer subtraction of computed tensors is not supported");
  neg.f = -neg.f;
  n.op = "Add";
  n.inputs[1] = g.AddConstant(n.name + ".negated", std::move(neg));
}

// BatchNormalization after FullyConnected (channels last, as [N, C]) folds
// into its weights and bias: y = a * (W x + b) + c, a = gamma / sqrt(var + eps).
void FoldBatchNorm(Graph& g, Node& bn) {
  const int producer = g.Producer(bn.inputs[0]);
  const Shape& shape = g.tensors[bn.inputs[0]].shape;
  if (producer < 0 || g.nodes[producer].op != "FullyConnected" || g.Consumers(bn.inputs[0]).size() != 1 ||
      g.IsGraphOutput(bn.inputs[0]) || shape.size() != 2) {
    Unsupported(bn, "only batch normalization right after a Gemm/MatMul on [N, C] is supported");
  }
  Node& fc = g.nodes[producer];
  Value w = *g.tensors[fc.inputs[1]].constant;
  const int64_t units = w.shape[0], depth = w.shape[1];
  Eigen::ArrayXf b = fc.inputs.size() > 2 ? g.tensors[fc.inputs[2]].constant->f : Eigen::ArrayXf::Zero(units);
  const Value& gamma = ConstInput(g, bn, 1, "scale");
  const Value& beta = ConstInput(g, bn, 2, "bias");
  const Value& mean = ConstInput(g, bn, 3, "mean");
  const Value& var = ConstInput(g, bn, 4, "variance");
  const float eps = bn.attr_float("epsilon", 1e-5f);
  for (int64_t u = 0; u < units; ++u) {
    const float a = gamma.f[u] / std::sqrt(var.f[u] + eps);
    w.f.segment(u * depth, depth) *= a;
    b[u] = a * (b[u] - mean.f[u]) + beta.f[u];
  }
  fc.inputs = {fc.inputs[0], g.AddConstant(fc.name + ".bn_weights", std::move(w)),
               g.AddConstant(fc.name + ".bn_bias", Value::Float({units}, std::move(b)))};
  // The batch norm becomes a copy, removed with the other aliases.
  bn.op = "Identity";
  bn.inputs.resize(1);
  bn.attrs.clear();
}

}  // namespace

void LowerToMoteOps(Graph& g) {
  static const std::set<std::string> kReshapes = {"Flatten", "Reshape", "Squeeze", "Unsqueeze"};
  std::vector<size_t> aliases;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    Node& n = g.nodes[k];
    if (n.op == "Gemm") LowerGemm(g, n);
    else if (n.op == "BatchNormalization") FoldBatchNorm(g, n);
    else if (n.op == "MatMul") LowerMatMul(g, n);
    else if (n.op == "Clip") LowerClip(g, n);
    else if (n.op == "Softmax") LowerSoftmax(g, n);
    else if (n.op == "Sub") LowerSubtract(g, n);
    else if (kReshapes.count(n.op)) {
      n.op = "Reshape";
      n.inputs.resize(1);
      n.attrs.clear();
      n.attrs["shape"].ints = g.tensors[n.outputs[0]].shape;
    }
    if (n.op == "Identity" || n.op == "Dropout" ||
               (n.op == "Cast" && g.tensors[n.inputs[0]].dtype == g.tensors[n.outputs[0]].dtype)) {
      n.op = "Reshape";  // a copy; removed below where the tensors can be merged
      n.inputs.resize(1);
      n.outputs.resize(1);
      n.attrs.clear();
      n.attrs["shape"].ints = g.tensors[n.outputs[0]].shape;
      aliases.push_back(k);
    } else if (n.op == "Transpose") {
      Unsupported(n, "transposing a computed tensor is not supported yet");
    }
  }
  // Drop pure copies unless they join a graph input (or constant) to an output.
  std::vector<Node> kept;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const Node& n = g.nodes[k];
    const bool alias = std::count(aliases.begin(), aliases.end(), k) != 0;
    const int in = n.inputs[0];
    if (alias && !(g.IsGraphOutput(n.outputs[0]) && (g.IsGraphInput(in) || g.tensors[in].is_const()))) {
      Rewire(g, n.outputs[0], in);
      continue;
    }
    kept.push_back(n);
  }
  g.nodes = std::move(kept);
  static const std::set<std::string> kMoteOps = {"FullyConnected", "Relu", "Relu6", "Clip", "Sigmoid",
                                                 "Tanh", "Softmax", "Reshape", "Add"};
  for (const Node& n : g.nodes) {
    if (!kMoteOps.count(n.op)) Unsupported(n, "operator has no mote equivalent for these inputs");
    for (int t : n.inputs) {
      if (t >= 0 && !g.tensors[t].is_const() && g.tensors[t].dtype != DType::kFloat32) {
        Unsupported(n, "computed input '" + g.tensors[t].name + "' is " + DTypeName(g.tensors[t].dtype) +
                    "; only float32 activations are supported");
      }
    }
  }
}

void FuseOps(Graph& g) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t k = 0; k < g.nodes.size() && !changed; ++k) {
      Node& n = g.nodes[k];
      if (n.op != "FullyConnected" && n.op != "Add") continue;
      const int out = n.outputs[0];
      const std::vector<int> consumers = g.Consumers(out);
      if (consumers.size() != 1 || g.IsGraphOutput(out)) continue;
      Node& next = g.nodes[consumers[0]];
      const bool already_clamped = n.has_attr("act_min") || n.has_attr("act_max");
      // FullyConnected + Add(constant [units]) -> bias.
      if (n.op == "FullyConnected" && next.op == "Add" && !already_clamped) {
        const int other = next.inputs[0] == out ? next.inputs[1] : next.inputs[0];
        const int64_t units = g.tensors[n.inputs[1]].shape[0];
        Eigen::ArrayXf add;
        if (!g.tensors[other].is_const() || !BiasFrom(*g.tensors[other].constant, units, &add) ||
            g.tensors[next.outputs[0]].shape != g.tensors[out].shape) {
          continue;
        }
        Eigen::ArrayXf bias = n.inputs.size() > 2 ? g.tensors[n.inputs[2]].constant->f : Eigen::ArrayXf::Zero(units);
        n.inputs.resize(2);
        n.inputs.push_back(g.AddConstant(n.name + ".bias", Value::Float({units}, bias + add)));
      } else if (next.op == "Relu" || next.op == "Relu6" || next.op == "Clip") {
        const float lo = next.op == "Clip" ? next.attr_float("min", -kInf) : 0.0f;
        const float hi = next.op == "Relu6" ? 6.0f : next.op == "Clip" ? next.attr_float("max", kInf) : kInf;
        n.attrs["act_min"].f = std::max(n.attr_float("act_min", -kInf), lo);
        n.attrs["act_max"].f = std::min(n.attr_float("act_max", kInf), hi);
      } else {
        continue;
      }
      const int fused_out = next.outputs[0];
      g.nodes.erase(g.nodes.begin() + consumers[0]);
      Node& producer = g.nodes[k < static_cast<size_t>(consumers[0]) ? k : k - 1];
      producer.outputs[0] = fused_out;
      changed = true;
    }
  }
}

}  // namespace mote::modelc
