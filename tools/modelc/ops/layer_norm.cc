// Layer normalization: ONNX LayerNormalization (opset 17; the opset 13
// ReduceMean/Sub/Pow/Sqrt/Div/Mul/Add form is fused into it by
// passes/fuse_layer_norm.cc) lowered to the runtime's LayerNorm over the
// trailing axes from `axis`, with gamma and beta flattened to one value per
// element of a row.
#include <cmath>

#include "mote/schema/mote_generated.h"
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

int64_t AxisOf(const Node& n, size_t rank) {
  int64_t axis = n.attr_int("axis", -1);
  if (axis < 0) axis += static_cast<int64_t>(rank);
  if (axis < 0 || axis >= static_cast<int64_t>(rank)) {
    Fail(n, "axis " + std::to_string(n.attr_int("axis", -1)) + " is out of range for rank " +
                std::to_string(rank));
  }
  return axis;
}

// `v` broadcast (right-aligned) to the normalized shape `row` and flattened.
Eigen::ArrayXf PerElement(const Node& n, const Value& v, const Shape& row, const char* what) {
  if (v.is_int) Fail(n, std::string(what) + " must be float");
  if (v.shape.size() > row.size()) {
    Fail(n, std::string(what) + " " + ShapeString(v.shape) + " has more axes than the normalized " +
                ShapeString(row));
  }
  Shape vs(row.size() - v.shape.size(), 1);
  vs.insert(vs.end(), v.shape.begin(), v.shape.end());
  for (size_t k = 0; k < row.size(); ++k) {
    if (vs[k] != 1 && vs[k] != row[k])
      Fail(n, std::string(what) + " " + ShapeString(v.shape) + " does not broadcast to " +
                  ShapeString(row));
  }
  const int64_t depth = NumElements(row);
  Eigen::ArrayXf out(depth);
  for (int64_t e = 0; e < depth; ++e) {
    int64_t rest = e, j = 0, step = 1;
    for (size_t k = row.size(); k-- > 0;) {
      const int64_t i = rest % row[k];
      rest /= row[k];
      j += (vs[k] == 1 ? 0 : i) * step;
      step *= vs[k];
    }
    out[e] = v.f[j];
  }
  return out;
}

struct Normalized {
  Value y, mean, inv_std;
};

// Rows of `depth` values normalized in double, then gamma and beta.
Normalized Normalize(const Value& x, int64_t axis, float epsilon, const Eigen::ArrayXf& gamma,
                     const Eigen::ArrayXf* beta) {
  const int64_t depth = gamma.size(), rows = depth == 0 ? 0 : x.size() / depth;
  Shape stat = x.shape;
  for (size_t k = static_cast<size_t>(axis); k < stat.size(); ++k) stat[k] = 1;
  Normalized r{x, Value::Float(stat, Eigen::ArrayXf(rows)),
               Value::Float(stat, Eigen::ArrayXf(rows))};
  for (int64_t i = 0; i < rows; ++i) {
    double mean = 0, var = 0;
    for (int64_t c = 0; c < depth; ++c) mean += x.f[i * depth + c];
    mean /= static_cast<double>(depth);
    for (int64_t c = 0; c < depth; ++c) var += std::pow(x.f[i * depth + c] - mean, 2);
    const double inv = 1.0 / std::sqrt(var / static_cast<double>(depth) + epsilon);
    for (int64_t c = 0; c < depth; ++c) {
      r.y.f[i * depth + c] = static_cast<float>((x.f[i * depth + c] - mean) * inv * gamma[c] +
                                                (beta != nullptr ? (*beta)[c] : 0.0f));
    }
    r.mean.f[i] = static_cast<float>(mean);
    r.inv_std.f[i] = static_cast<float>(inv);
  }
  return r;
}

std::vector<Value> EvalLayerNormalization(const Graph&, const Node& n, const OpInputs& ins) {
  if (ins.size() < 2 || ins[0] == nullptr || ins[1] == nullptr) Fail(n, "needs inputs X and Scale");
  if (n.attr_int("stash_type", 1) != 1) Unsupported(n, "only stash_type 1 (float) is supported");
  const Value& x = *ins[0];
  if (x.is_int) Fail(n, "input X must be float");
  const int64_t axis = AxisOf(n, x.shape.size());
  const Shape row(x.shape.begin() + axis, x.shape.end());
  const Eigen::ArrayXf gamma = PerElement(n, *ins[1], row, "Scale");
  Eigen::ArrayXf beta;
  const bool has_beta = ins.size() > 2 && ins[2] != nullptr;
  if (has_beta) beta = PerElement(n, *ins[2], row, "B");
  Normalized r =
      Normalize(x, axis, n.attr_float("epsilon", 1e-5f), gamma, has_beta ? &beta : nullptr);
  return {r.y, r.mean, r.inv_std};
}

// The mote op: gamma and beta [depth] as inputs, or (quantized) as attributes.
std::vector<Value> EvalLayerNorm(const Graph&, const Node& n, const OpInputs& ins) {
  const Value& x = *ins.at(0);
  const int64_t axis = AxisOf(n, x.shape.size());
  const auto floats = [&](size_t k, const char* attr) {
    if (n.has_attr(attr)) {
      const std::vector<float>& v = n.attrs.at(attr).floats;
      return Eigen::ArrayXf(
          Eigen::Map<const Eigen::ArrayXf>(v.data(), static_cast<Eigen::Index>(v.size())));
    }
    return k < ins.size() && ins[k] != nullptr ? ins[k]->f : Eigen::ArrayXf();
  };
  const Eigen::ArrayXf gamma = floats(1, "gamma"), beta = floats(2, "beta");
  return {
      Normalize(x, axis, n.attr_float("epsilon", 1e-5f), gamma, beta.size() ? &beta : nullptr).y};
}

int NewTensor(Graph& g, const std::string& name, const Shape& shape) {
  Tensor t;
  t.name = name;
  t.shape = shape;
  return g.AddTensor(std::move(t));
}

Node MakeNode(const std::string& name, const std::string& op, std::vector<int> inputs, int output) {
  Node m;
  m.name = name;
  m.op = op;
  m.inputs = std::move(inputs);
  m.outputs = {output};
  return m;
}

bool Used(const Graph& g, const Node& n, size_t k) {
  return k < n.outputs.size() && n.outputs[k] >= 0 &&
         (g.IsGraphOutput(n.outputs[k]) || !g.Consumers(n.outputs[k]).empty());
}

// The optional outputs Mean and InvStdDev, when read: rows [outer, depth],
// means by a FullyConnected with weights 1/depth, 1 / Sqrt(variance + eps).
std::vector<Node> Statistics(Graph& g, const Node& n, int64_t axis, float epsilon) {
  const int x = n.inputs[0];
  const Shape xs = g.tensors[x].shape;
  const int64_t depth = NumElements(Shape(xs.begin() + axis, xs.end()));
  const int64_t outer = NumElements(Shape(xs.begin(), xs.begin() + axis));
  const Shape rows = {outer, depth}, column = {outer, 1};
  const int averages =
      g.AddConstant(n.name + ".averaging",
                    Value::Float({1, depth}, Eigen::ArrayXf::Constant(depth, 1.0f / depth)));
  std::vector<Node> nodes;
  auto tensor = [&](const char* what, const Shape& s) { return NewTensor(g, n.name + what, s); };
  const int r = tensor(".rows", rows), mean = tensor(".mean", column);
  Node reshape = MakeNode(n.name + ".to_rows", "Reshape", {x}, r);
  reshape.attrs["shape"].ints = rows;
  nodes.push_back(reshape);
  nodes.push_back(MakeNode(n.name + ".average", "FullyConnected", {r, averages}, mean));
  auto output = [&](size_t k, int from) {
    Node out = MakeNode(n.name + ".stat" + std::to_string(k), "Reshape", {from}, n.outputs[k]);
    out.attrs["shape"].ints = g.tensors[n.outputs[k]].shape;
    nodes.push_back(out);
  };
  if (Used(g, n, 1)) output(1, mean);
  if (!Used(g, n, 2)) return nodes;
  const int negated = tensor(".minus_mean", column), centered = tensor(".centered", rows);
  const int squares = tensor(".squares", rows), variance = tensor(".variance", column);
  const int shifted = tensor(".variance_eps", column), deviation = tensor(".deviation", column);
  const int inverse = tensor(".inv_std", column);
  Node neg = MakeNode(n.name + ".negate", "Unary", {mean}, negated);
  neg.attrs["function"].i = static_cast<int64_t>(schema::UnaryFunction::Neg);
  nodes.push_back(neg);
  nodes.push_back(MakeNode(n.name + ".center", "Add", {r, negated}, centered));
  nodes.push_back(MakeNode(n.name + ".square", "Mul", {centered, centered}, squares));
  nodes.push_back(
      MakeNode(n.name + ".average_squares", "FullyConnected", {squares, averages}, variance));
  nodes.push_back(MakeNode(
      n.name + ".add_eps", "Add",
      {variance,
       g.AddConstant(n.name + ".eps", Value::Float({}, Eigen::ArrayXf::Constant(1, epsilon)))},
      shifted));
  Node sqrt = MakeNode(n.name + ".sqrt", "Unary", {shifted}, deviation);
  sqrt.attrs["function"].i = static_cast<int64_t>(schema::UnaryFunction::Sqrt);
  nodes.push_back(sqrt);
  Node reciprocal = MakeNode(n.name + ".reciprocal", "Unary", {deviation}, inverse);
  reciprocal.attrs["function"].i = static_cast<int64_t>(schema::UnaryFunction::Reciprocal);
  nodes.push_back(reciprocal);
  output(2, inverse);
  return nodes;
}

std::vector<Node> ExpandLayerNormalization(Graph& g, const Node& n) {
  const Shape xs = g.tensors[n.inputs.at(0)].shape;
  const int64_t axis = AxisOf(n, xs.size());
  const Shape row(xs.begin() + axis, xs.end());
  auto constant = [&](size_t k, const char* what) -> const Value& {
    if (!g.tensors[n.inputs[k]].is_const())
      Unsupported(n, std::string(what) + " must be a constant (initializer)");
    return *g.tensors[n.inputs[k]].constant;
  };
  const int64_t depth = NumElements(row);
  std::vector<int> inputs = {
      n.inputs[0],
      g.AddConstant(n.name + ".gamma",
                    Value::Float({depth}, PerElement(n, constant(1, "Scale"), row, "Scale")))};
  if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
    inputs.push_back(g.AddConstant(
        n.name + ".beta", Value::Float({depth}, PerElement(n, constant(2, "B"), row, "B"))));
  }
  const float epsilon = n.attr_float("epsilon", 1e-5f);
  std::vector<Node> nodes = Statistics(g, n, axis, epsilon);
  if (Used(g, n, 0)) {
    Node ln = MakeNode(n.name, "LayerNorm", inputs, n.outputs[0]);
    ln.attrs["axis"].i = axis;
    ln.attrs["epsilon"].f = epsilon;
    nodes.push_back(ln);
  }
  if (nodes.empty()) Fail(n, "no output is used");
  return nodes;
}

// InstanceNormalization: each (sample, channel) normalized over the spatial
// axes, then per-channel scale and bias.
std::vector<Value> EvalInstanceNormalization(const Graph&, const Node& n, const OpInputs& ins) {
  if (ins.size() != 3 || ins[0] == nullptr || ins[1] == nullptr || ins[2] == nullptr)
    Fail(n, "needs inputs input, scale and B");
  const Value& x = *ins[0];
  if (x.is_int || x.shape.size() < 3) Fail(n, "input must be float with at least 3 axes");
  const int64_t channels = x.shape[1];
  if (ins[1]->size() != channels || ins[2]->size() != channels)
    Fail(n, "scale and B must hold one value per channel");
  const Shape row(x.shape.begin() + 2, x.shape.end());
  Value y = Normalize(x, 2, n.attr_float("epsilon", 1e-5f), Eigen::ArrayXf::Ones(NumElements(row)),
                      nullptr)
                .y;
  const int64_t per = NumElements(row);
  for (int64_t i = 0; i < y.size(); ++i) {
    const int64_t c = i / per % channels;
    y.f[i] = y.f[i] * ins[1]->AsFloat(c) + ins[2]->AsFloat(c);
  }
  return {y};
}

// LayerNorm over the spatial axes (gamma 1, beta 0), then Mul and Add by
// [C, 1, ...] constants.
std::vector<Node> ExpandInstanceNormalization(Graph& g, const Node& n) {
  const Shape xs = g.tensors[n.inputs.at(0)].shape;
  if (xs.size() < 3) Fail(n, "input must have at least 3 axes");
  for (size_t k = 1; k < 3; ++k) {
    if (n.inputs.size() <= k || n.inputs[k] < 0 || !g.tensors[n.inputs[k]].is_const())
      Unsupported(n, "scale and B must be constants (initializers)");
  }
  const Shape row(xs.begin() + 2, xs.end());
  Shape per_channel(xs.size() - 1, 1);
  per_channel[0] = xs[1];
  auto coefficients = [&](size_t k, const char* what) {
    Value v = *g.tensors[n.inputs[k]].constant;
    if (v.is_int || v.size() != xs[1])
      Fail(n, std::string(what) + " must hold one float per channel");
    v.shape = per_channel;
    return g.AddConstant(n.name + "." + what, std::move(v));
  };
  const int normalized = NewTensor(g, n.name + ".normalized", xs),
            scaled = NewTensor(g, n.name + ".scaled", xs);
  Node ln = MakeNode(
      n.name + ".normalize", "LayerNorm",
      {n.inputs[0],
       g.AddConstant(n.name + ".ones",
                     Value::Float({NumElements(row)}, Eigen::ArrayXf::Ones(NumElements(row))))},
      normalized);
  ln.attrs["axis"].i = 2;
  ln.attrs["epsilon"].f = n.attr_float("epsilon", 1e-5f);
  return {ln, MakeNode(n.name + ".scale", "Mul", {normalized, coefficients(1, "scale")}, scaled),
          MakeNode(n.name, "Add", {scaled, coefficients(2, "bias")}, n.outputs.at(0))};
}

}  // namespace

std::vector<OpDef> LayerNormOps() {
  std::vector<OpDef> ops;
  ops.push_back({"LayerNormalization",
                 {"axis", "epsilon", "stash_type"},
                 EvalLayerNormalization,
                 nullptr,
                 ExpandLayerNormalization});
  ops.push_back({"InstanceNormalization",
                 {"epsilon"},
                 EvalInstanceNormalization,
                 nullptr,
                 ExpandInstanceNormalization});
  ops.push_back({"LayerNorm", {"axis", "epsilon", "gamma", "beta"}, EvalLayerNorm});
  return ops;
}

}  // namespace mote::modelc
