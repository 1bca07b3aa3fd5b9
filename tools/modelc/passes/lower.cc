// Lowering imported ops to the runtime's op set, and fusing neighbours.
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "ir/reference_executor.h"
#include "ml/classic.h"
#include "ops/op_registry.h"
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

bool IsConstInput(const Graph& g, const Node& n, size_t k) {
  return k < n.inputs.size() && n.inputs[k] >= 0 && g.tensors[n.inputs[k]].is_const();
}

// The constant axes of a Reduce* node (attribute, or input 1 since opset 13/18), normalized.
std::vector<int64_t> ReduceAxes(const Graph& g, const Node& n) {
  std::vector<int64_t> axes = n.attr_ints("axes");
  if (IsConstInput(g, n, 1)) axes = g.tensors[n.inputs[1]].constant->i;
  const int64_t rank = static_cast<int64_t>(g.tensors[n.inputs[0]].shape.size());
  for (int64_t& a : axes) a = a < 0 ? a + rank : a;
  std::sort(axes.begin(), axes.end());
  return axes;
}

// ReduceMean over NCHW's spatial axes: the runtime's Mean (passes/layout.cc).
bool IsSpatialMean(const Graph& g, const Node& n) {
  return g.tensors[n.inputs[0]].shape.size() == 4 && ReduceAxes(g, n) == std::vector<int64_t>{2, 3};
}

// ReduceSum over the last axis alone: a compensated FullyConnected (below).
bool IsLastAxisSum(const Graph& g, const Node& n) {
  const int64_t rank = static_cast<int64_t>(g.tensors[n.inputs[0]].shape.size());
  return ReduceAxes(g, n) == std::vector<int64_t>{rank - 1};
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

// A FullyConnected over the last axis of a 4-D (or higher) input, which the
// layout pass would store NHWC, as one over its rows: Reshape [rows, K] ->
// FullyConnected -> Reshape back. Returns the number of nodes inserted.
size_t FlattenFullyConnected(Graph& g, size_t k) {
  Node& fc = g.nodes[k];
  const Shape in = g.tensors[fc.inputs[0]].shape, out = g.tensors[fc.outputs[0]].shape;
  const int64_t rows = NumElements(in) / in.back();
  auto reshape = [&](const std::string& name, int from, const Shape& shape, int to) {
    Node r;
    r.name = name;
    r.op = "Reshape";
    r.inputs = {from};
    r.outputs = {to};
    r.attrs["shape"].ints = shape;
    return r;
  };
  Tensor rows_in, rows_out;
  rows_in.name = g.tensors[fc.inputs[0]].name + ".rows";
  rows_in.shape = {rows, in.back()};
  rows_out.name = g.tensors[fc.outputs[0]].name + ".rows";
  rows_out.shape = {rows, out.back()};
  const int a = g.AddTensor(std::move(rows_in)), b = g.AddTensor(std::move(rows_out));
  Node before = reshape(fc.name + ".to_rows", fc.inputs[0], {rows, in.back()}, a);
  Node after = reshape(fc.name + ".from_rows", b, out, fc.outputs[0]);
  fc.inputs[0] = a;
  fc.outputs[0] = b;
  g.nodes.insert(g.nodes.begin() + static_cast<long>(k) + 1, std::move(after));
  g.nodes.insert(g.nodes.begin() + static_cast<long>(k), std::move(before));
  return 2;
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

// Pow(x, 2) -> x * x; Div(x, c) -> x * (1 / c).
void LowerPowDiv(Graph& g, Node& n) {
  if (n.op == "Pow") {
    const Value& e = ConstInput(g, n, 1, "the exponent");
    if (e.size() != 1 || e.AsFloat(0) != 2.0f) Unsupported(n, "only squaring (exponent 2) is supported");
    n.op = "Mul";
    n.inputs[1] = n.inputs[0];
    return;
  }
  Value r = ConstInput(g, n, 1, "the divisor");
  if (r.is_int) Unsupported(n, "integer division of computed tensors is not supported");
  r.f = r.f.inverse();
  n.op = "Mul";
  n.inputs[1] = g.AddConstant(n.name + ".reciprocal", std::move(r));
}

// ReduceSum over the last axis -> FullyConnected with a row of ones and a
// Reshape to the reduced shape. In float the sum is compensated: terms of
// very different magnitude (naive Bayes log-likelihoods reach 1e10 next to
// differences of a few units) would otherwise lose what tells classes apart.
void LowerReduceSum(Graph& g, std::vector<Node>& extra, Node& n) {
  const Shape& in = g.tensors[n.inputs[0]].shape;
  std::vector<int64_t> axes = n.attr_ints("axes");
  if (n.inputs.size() > 1 && n.inputs[1] >= 0) axes = ConstInput(g, n, 1, "the axes").i;
  const int64_t rank = static_cast<int64_t>(in.size());
  if (axes.size() != 1 || !(axes[0] == rank - 1 || axes[0] == -1)) {
    Unsupported(n, "ReduceSum is supported over the last axis only");
  }
  Shape summed = in;
  summed.back() = 1;
  Tensor t;
  t.name = n.name + ".summed";
  t.shape = summed;
  const int sum_tensor = g.AddTensor(std::move(t));
  const int out = n.outputs[0];
  n.op = "FullyConnected";
  n.inputs = {n.inputs[0], g.AddConstant(n.name + ".ones", Value::Float({1, in.back()}, Eigen::ArrayXf::Ones(in.back())))};
  n.outputs = {sum_tensor};
  n.attrs.clear();
  n.attrs["compensated"].i = 1;
  Node reshape;
  reshape.name = n.name + ".reshape";
  reshape.op = "Reshape";
  reshape.inputs = {sum_tensor};
  reshape.outputs = {out};
  reshape.attrs["shape"].ints = g.tensors[out].shape;
  extra.push_back(reshape);
}

void LowerSubtract(Graph& g, Node& n) {
  if (g.tensors[n.inputs[0]].is_const() && !g.tensors[n.inputs[1]].is_const()) {
    // c - x -> x * -1 + c, as Mul here and an Add inserted after it.
    Value minus_one = Value::Float({}, Eigen::ArrayXf::Constant(1, -1.0f));
    const int c = n.inputs[0];
    Tensor t;
    t.name = n.name + ".negated";
    t.shape = g.tensors[n.inputs[1]].shape;
    const int negated = g.AddTensor(std::move(t));
    n.attrs["mote_add_constant"].i = c;
    n.attrs["mote_add_output"].i = n.outputs[0];
    n.op = "Mul";
    n.inputs = {n.inputs[1], g.AddConstant(n.name + ".minus_one", std::move(minus_one))};
    n.outputs = {negated};
    return;
  }
  const Value& c = ConstInput(g, n, 1, "the subtrahend");
  Value neg = c;
  if (neg.is_int) Unsupported(n, "integer subtraction of computed tensors is not supported");
  neg.f = -neg.f;
  n.op = "Add";
  n.inputs[1] = g.AddConstant(n.name + ".negated", std::move(neg));
}

// Inference BatchNormalization as per-channel y = a * x + c,
// a = gamma / sqrt(var + eps), c = beta - mean * a.
void BatchNormCoefficients(const Graph& g, const Node& bn, Eigen::ArrayXf* a, Eigen::ArrayXf* c) {
  const Value& gamma = ConstInput(g, bn, 1, "scale");
  const Value& beta = ConstInput(g, bn, 2, "bias");
  const Value& mean = ConstInput(g, bn, 3, "mean");
  const Value& var = ConstInput(g, bn, 4, "variance");
  const float eps = bn.attr_float("epsilon", 1e-5f);
  *a = gamma.f / (var.f + eps).sqrt();
  *c = beta.f - mean.f * *a;
}

// Folds into the preceding FullyConnected or Conv (weights [out, ...]) when
// it alone reads that output; otherwise becomes Mul and Add by constants.
void LowerBatchNorm(Graph& g, Node& bn) {
  Eigen::ArrayXf a, c;
  BatchNormCoefficients(g, bn, &a, &c);
  const int producer = g.Producer(bn.inputs[0]);
  const Shape& shape = g.tensors[bn.inputs[0]].shape;
  if (shape.size() < 2 || a.size() != shape[1]) Fail(bn, "parameters do not have one value per channel");
  const bool foldable = producer >= 0 && g.Consumers(bn.inputs[0]).size() == 1 && !g.IsGraphOutput(bn.inputs[0]) &&
                        ((g.nodes[producer].op == "FullyConnected" && shape.size() == 2) ||
                         (g.nodes[producer].op == "Conv" && g.tensors[g.nodes[producer].inputs[1]].is_const()));
  if (foldable) {
    Node& p = g.nodes[producer];
    Value w = *g.tensors[p.inputs[1]].constant;
    const int64_t units = w.shape[0], per = w.size() / units;
    Eigen::ArrayXf b = p.inputs.size() > 2 && p.inputs[2] >= 0 ? g.tensors[p.inputs[2]].constant->f
                                                                : Eigen::ArrayXf::Zero(units);
    for (int64_t u = 0; u < units; ++u) w.f.segment(u * per, per) *= a[u];
    b = a * b + c;
    p.inputs = {p.inputs[0], g.AddConstant(p.name + ".bn_weights", std::move(w)),
                g.AddConstant(p.name + ".bn_bias", Value::Float({units}, std::move(b)))};
    bn.op = "Identity";  // removed with the other aliases
    bn.inputs.resize(1);
    bn.attrs.clear();
    return;
  }
  // x * a + c with a, c shaped [C, 1, ...] to broadcast over NC...
  bn.outputs.resize(1);  // extra outputs were checked to be unused
  Shape coeff_shape = {shape[1]};
  for (size_t k = 2; k < shape.size(); ++k) coeff_shape.push_back(1);
  Tensor scaled_tensor;
  scaled_tensor.name = bn.name + ".scaled";
  scaled_tensor.shape = shape;
  const int scaled = g.AddTensor(std::move(scaled_tensor));
  Node mul;
  mul.name = bn.name + ".mul";
  mul.op = "Mul";
  mul.inputs = {bn.inputs[0], g.AddConstant(bn.name + ".a", Value::Float(coeff_shape, a))};
  mul.outputs = {scaled};
  bn.op = "Add";
  bn.inputs = {scaled, g.AddConstant(bn.name + ".c", Value::Float(coeff_shape, c))};
  bn.attrs.clear();
  const auto at = std::find_if(g.nodes.begin(), g.nodes.end(), [&](const Node& n) { return n.name == bn.name; });
  g.nodes.insert(at, std::move(mul));
}

// Casts to bool (a truth test) and to 16-bit floats (rounding) change
// values of the same modelc type: the registry lowers them (ops/logic.cc).
bool IsRoundingCast(const Node& n) {
  const int64_t to = n.attr_int("to", 1);
  return to == 9 || to == 10 || to == 16;
}

// Pad's pads and value, given as inputs since opset 11, become attributes.
void NormalizePad(Graph& g, Node& n) {
  const std::string mode = n.has_attr("mode") ? n.attrs.at("mode").s : "constant";
  if (mode != "constant" && mode != "reflect" && mode != "edge" && mode != "wrap") {
    Unsupported(n, "pad mode '" + mode + "' is not supported");
  }
  std::vector<int64_t> pads = n.attr_ints("pads");
  if (n.inputs.size() > 1 && n.inputs[1] >= 0) pads = ConstInput(g, n, 1, "pads").i;
  float value = n.attr_float("value", 0.0f);
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) value = ConstInput(g, n, 2, "the pad value").AsFloat(0);
  if (n.inputs.size() > 3 && n.inputs[3] >= 0) {
    pads = PadsOverAxes(n, ConstInput(g, n, 3, "axes").i, pads, g.tensors[n.inputs[0]].shape.size());
  }
  for (int64_t p : pads) {
    if (p < 0) Unsupported(n, "negative pads (cropping) are not supported");
  }
  n.inputs.resize(1);
  n.attrs.clear();
  if (std::all_of(pads.begin(), pads.end(), [](int64_t p) { return p == 0; })) {
    n.op = "Identity";  // PyTorch 1.13 puts one before AvgPool1d
    return;
  }
  n.attrs["pads"].ints = pads;
  n.attrs["value"].f = value;
  n.attrs["mode"].s = mode;
}

// x * HardSigmoid(x) with PyTorch's constants (opset < 14 export) -> HardSwish.
void FuseHardSwish(Graph& g, Node& mul) {
  for (int k = 0; k < 2; ++k) {
    const int producer = g.Producer(mul.inputs[k]);
    if (producer < 0 || g.nodes[producer].op != "HardSigmoid") continue;
    const Node& hs = g.nodes[producer];
    if (hs.inputs[0] != mul.inputs[1 - k] || std::fabs(hs.attr_float("alpha", 0.2f) - 1.0f / 6.0f) > 1e-6f ||
        hs.attr_float("beta", 0.5f) != 0.5f) {
      continue;
    }
    mul.op = "HardSwish";
    mul.inputs = {hs.inputs[0]};
    return;
  }
}

}  // namespace

// Ops whose extra outputs (Dropout's mask, MaxPool's indices, training
// BatchNorm's statistics) mote does not compute: refuse if anything reads them.
void CheckExtraOutputsUnused(const Graph& g, const Node& n) {
  for (size_t k = 1; k < n.outputs.size(); ++k) {
    const int t = n.outputs[k];
    if (g.IsGraphOutput(t) || !g.Consumers(t).empty()) {
      Unsupported(n, "output " + std::to_string(k) + " ('" + g.tensors[t].name + "') is not computed by mote");
    }
  }
}

void LowerToMoteOps(Graph& g) {
  static const std::set<std::string> kReshapes = {"Flatten", "Reshape", "Squeeze", "Unsqueeze"};
  FuseClassifierChains(g);
  std::vector<size_t> aliases;
  for (const Node& n : g.nodes) {
    if (n.op == "Dropout" || n.op == "MaxPool" || n.op == "BatchNormalization") CheckExtraOutputsUnused(g, n);
    if (n.op == "BatchNormalization" && n.attr_int("training_mode", 0) != 0) {
      Unsupported(n, "training-mode batch normalization (batch statistics) is not supported");
    }
    if (n.op == "Dropout" && n.inputs.size() > 2 && n.inputs[2] >= 0) {
      const Tensor& training = g.tensors[n.inputs[2]];
      // With a ratio of 0 (exports of models built with dropout=0.0 in train
      // mode) training-mode dropout keeps every value: an identity.
      const bool zero_ratio = n.inputs.size() > 1 && n.inputs[1] >= 0 &&
                              g.tensors[n.inputs[1]].is_const() &&
                              g.tensors[n.inputs[1]].constant->size() == 1 &&
                              g.tensors[n.inputs[1]].constant->AsFloat(0) == 0.0f;
      if ((!training.is_const() || training.constant->AsInt(0) != 0) && !zero_ratio)
        Unsupported(n, "training-mode dropout with a ratio other than 0 is not supported");
    }
  }
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    if (g.nodes[k].op == "BatchNormalization") {
      const size_t before = g.nodes.size();
      LowerBatchNorm(g, g.nodes[k]);
      k += g.nodes.size() - before;  // a Mul may have been inserted before it
      if (g.nodes[k].op != "Identity") continue;
    }
    if (IsClassicOp(g.nodes[k].op)) {
      k += LowerClassic(g, k) - 1;
      continue;
    }
    Node& n = g.nodes[k];
    // A computed B is the registry's (ops/matmul.cc: BatchMatMul).
    if (n.op == "Gemm" && IsConstInput(g, n, 1)) LowerGemm(g, n);
    else if (n.op == "Mul") FuseHardSwish(g, n);
    else if (n.op == "Pad") NormalizePad(g, n);
    else if (n.op == "Transpose" && n.attr_ints("perm").empty()) {  // default: reverse the dimensions
      const size_t rank = g.tensors[n.inputs[0]].shape.size();
      for (size_t d = rank; d-- > 0;) n.attrs["perm"].ints.push_back(static_cast<int64_t>(d));
    }
    else if (n.op == "Conv") {
      ConstInput(g, n, 1, "the weights");
      if (n.inputs.size() > 2 && n.inputs[2] >= 0) ConstInput(g, n, 2, "the bias");
    }
    else if (n.op == "MatMul" && IsConstInput(g, n, 1) && !IsConstInput(g, n, 0) &&
             g.tensors[n.inputs[1]].shape.size() == 2) {
      LowerMatMul(g, n);
      if (g.tensors[n.inputs[0]].shape.size() >= 4) {  // rows of the last axis, then back
        k += FlattenFullyConnected(g, k);
        continue;
      }
    }
    else if (n.op == "Clip") LowerClip(g, n);
    else if (n.op == "Softmax" || n.op == "LogSoftmax") {  // any axis (ops/softmax.cc)
      std::vector<Node> nodes = LowerSoftmax(g, n);
      g.nodes.erase(g.nodes.begin() + static_cast<long>(k));
      g.nodes.insert(g.nodes.begin() + static_cast<long>(k), nodes.begin(), nodes.end());
      k += nodes.size() - 1;
      continue;
    }
    else if (n.op == "Sub" && !g.tensors[n.inputs[0]].is_const() &&
             !g.tensors[n.inputs[1]].is_const() &&
             g.tensors[n.inputs[1]].dtype == DType::kFloat32) {
      // x - y of two computed tensors -> x + y * -1 (Add broadcasts as Sub does).
      Tensor t;
      t.name = g.tensors[n.inputs[1]].name + ".negated";
      t.shape = g.tensors[n.inputs[1]].shape;
      Node negate;
      negate.name = n.name + ".negate";
      negate.op = "Mul";
      negate.inputs = {n.inputs[1], g.AddConstant(n.name + ".minus_one",
                                                  Value::Float({}, Eigen::ArrayXf::Constant(1, -1.0f)))};
      negate.outputs = {g.AddTensor(std::move(t))};
      n.op = "Add";
      n.inputs[1] = negate.outputs[0];
      g.nodes.insert(g.nodes.begin() + static_cast<long>(k), std::move(negate));
      ++k;
      continue;
    }
    else if (n.op == "Sub") {
      LowerSubtract(g, n);
      if (n.has_attr("mote_add_output")) {  // c - x: add the constant after the negation
        Node add;
        add.name = n.name + ".add";
        add.op = "Add";
        add.inputs = {n.outputs[0], static_cast<int>(n.attr_int("mote_add_constant", -1))};
        add.outputs = {static_cast<int>(n.attr_int("mote_add_output", -1))};
        n.attrs.erase("mote_add_constant");
        n.attrs.erase("mote_add_output");
        g.nodes.insert(g.nodes.begin() + static_cast<long>(k) + 1, std::move(add));
        ++k;
        continue;
      }
    }
    else if (n.op == "Div" && n.inputs[1] >= 0 && !g.tensors[n.inputs[1]].is_const() &&
             g.tensors[n.inputs[1]].dtype == DType::kFloat32) {
      // x / y of two computed tensors -> x * Reciprocal(y) (the registry lowers Reciprocal).
      Tensor r;
      r.name = g.tensors[n.inputs[1]].name + ".reciprocal";
      r.shape = g.tensors[n.inputs[1]].shape;
      Node reciprocal;
      reciprocal.name = n.name + ".reciprocal";
      reciprocal.op = "Reciprocal";
      reciprocal.inputs = {n.inputs[1]};
      reciprocal.outputs = {g.AddTensor(std::move(r))};
      n.op = "Mul";
      n.inputs[1] = reciprocal.outputs[0];
      g.nodes.insert(g.nodes.begin() + static_cast<long>(k), std::move(reciprocal));
      ++k;
      continue;
    }
    else if (n.op == "Pow" || n.op == "Div") LowerPowDiv(g, n);
    else if ((n.op == "ReduceMean" && !IsSpatialMean(g, n)) || n.op == "ReduceLogSumExp" ||
             (n.op == "ReduceSum" && !IsLastAxisSum(g, n))) {  // any axes (ops/reduce.cc)
      std::vector<Node> nodes = ExpandReduce(g, n);
      g.nodes.erase(g.nodes.begin() + static_cast<long>(k));
      g.nodes.insert(g.nodes.begin() + static_cast<long>(k), nodes.begin(), nodes.end());
      k += nodes.size() - 1;
      continue;
    }
    else if (n.op == "ReduceSum") {
      std::vector<Node> extra;
      LowerReduceSum(g, extra, n);
      g.nodes.insert(g.nodes.begin() + static_cast<long>(k) + 1, extra.begin(), extra.end());
      ++k;
      continue;
    }
    else if (kReshapes.count(n.op)) {
      n.op = "Reshape";
      n.inputs.resize(1);
      n.attrs.clear();
      n.attrs["shape"].ints = g.tensors[n.outputs[0]].shape;
    }
    if (n.op == "Identity" || n.op == "Dropout" ||
               (n.op == "Cast" && g.tensors[n.inputs[0]].dtype == g.tensors[n.outputs[0]].dtype &&
                !IsRoundingCast(n))) {
      n.op = "Reshape";  // a copy; removed below where the tensors can be merged
      n.inputs.resize(1);
      n.outputs.resize(1);
      n.attrs.clear();
      n.attrs["shape"].ints = g.tensors[n.outputs[0]].shape;
      aliases.push_back(k);
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
  // The registry's lowerings, after the fusions above have seen the ONNX ops
  // (and after the copies are dropped: `aliases` holds node positions).
  std::vector<Node> lowered;
  for (Node& n : g.nodes) {
    const OpDef* def = FindOp(n.op);
    if (def != nullptr && def->lower != nullptr) def->lower(g, n);
    if (def != nullptr && def->expand != nullptr) {
      for (Node& m : def->expand(g, n)) lowered.push_back(std::move(m));
      continue;
    }
    lowered.push_back(std::move(n));
  }
  g.nodes = std::move(lowered);
}

void FuseOps(Graph& g) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t k = 0; k < g.nodes.size() && !changed; ++k) {
      Node& n = g.nodes[k];
      static const std::set<std::string> kClampable = {"FullyConnected", "Add", "Mul", "Conv2D", "DepthwiseConv2D",
                                                                 "TransposeConv2D"};
      if (!kClampable.count(n.op)) continue;
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
