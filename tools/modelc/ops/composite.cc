// Ops that become a few runtime ops: PRelu (Relu, Neg, Mul, Add), Max / Min
// of one computed tensor and constants (a Clip), Sum of several tensors
// (Adds). In int8/int16 models a scalar-slope
// PRelu then becomes one table (passes/fuse_elementwise.cc).
#include <algorithm>
#include <limits>

#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

constexpr int64_t kNegFunction = 1;  // schema::UnaryFunction::Neg

// y[i] = f(y[i], b[j]) with b broadcast (right-aligned, numpy rules) over y's shape.
template <typename F>
void Broadcast(const Node& n, Value& y, const Value& b, F f) {
  const size_t rank = y.shape.size();
  if (b.shape.size() > rank)
    Fail(n, "input " + ShapeString(b.shape) + " has more axes than " + ShapeString(y.shape));
  Shape bs(rank, 1);
  std::copy(b.shape.begin(), b.shape.end(), bs.end() - static_cast<long>(b.shape.size()));
  for (size_t k = 0; k < rank; ++k) {
    if (bs[k] != 1 && bs[k] != y.shape[k])
      Fail(n, ShapeString(b.shape) + " does not broadcast to " + ShapeString(y.shape));
  }
  std::vector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < y.size(); ++i) {
    int64_t j = 0;
    for (size_t k = 0; k < rank; ++k) j = j * bs[k] + (bs[k] == 1 ? 0 : index[k]);
    y.f[i] = f(y.f[i], b.AsFloat(j));
    for (size_t k = rank; k-- > 0;) {
      if (++index[k] < y.shape[k]) break;
      index[k] = 0;
    }
  }
}

// The output shape of broadcasting every input.
Shape BroadcastShape(const Node& n, const OpInputs& ins) {
  Shape out;
  for (const Value* v : ins) {
    if (v == nullptr) Fail(n, "an input is missing");
    Shape s = v->shape;
    if (s.size() > out.size()) out.insert(out.begin(), s.size() - out.size(), 1);
    s.insert(s.begin(), out.size() - s.size(), 1);
    for (size_t k = 0; k < out.size(); ++k) {
      if (s[k] != out[k] && s[k] != 1 && out[k] != 1) Fail(n, "inputs do not broadcast");
      out[k] = std::max(out[k], s[k]);
    }
  }
  return out;
}

// Variadic: acc = f(acc, input k) over every input, broadcast.
template <typename F>
Value Fold(const Node& n, const OpInputs& ins, float init, F f) {
  const Shape shape = BroadcastShape(n, ins);
  Value y = Value::Float(shape, Eigen::ArrayXf::Constant(NumElements(shape), init));
  for (const Value* v : ins) Broadcast(n, y, *v, f);
  return y;
}

std::vector<Value> EvalPRelu(const Graph&, const Node& n, const OpInputs& ins) {
  if (ins.size() != 2 || ins[0] == nullptr || ins[1] == nullptr)
    Fail(n, "needs inputs X and slope");
  if (ins[0]->is_int) Fail(n, "input X must be float");
  Value y = *ins[0];
  Broadcast(n, y, *ins[1], [](float x, float s) { return x < 0.0f ? s * x : x; });
  return {y};
}

std::vector<Value> EvalMax(const Graph&, const Node& n, const OpInputs& ins) {
  return {Fold(n, ins, -std::numeric_limits<float>::infinity(), [](float a, float b) {
    return a != a || b != b ? std::numeric_limits<float>::quiet_NaN() : std::max(a, b);
  })};
}
std::vector<Value> EvalMin(const Graph&, const Node& n, const OpInputs& ins) {
  return {Fold(n, ins, std::numeric_limits<float>::infinity(), [](float a, float b) {
    return a != a || b != b ? std::numeric_limits<float>::quiet_NaN() : std::min(a, b);
  })};
}
std::vector<Value> EvalSum(const Graph&, const Node& n, const OpInputs& ins) {
  return {Fold(n, ins, 0.0f, [](float a, float b) { return a + b; })};
}
int NewTensor(Graph& g, const std::string& name, const Tensor& like) {
  Tensor t;
  t.name = name;
  t.shape = like.shape;
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

// y = Relu(x) + Relu(-x) * (-slope).
std::vector<Node> ExpandPRelu(Graph& g, const Node& n) {
  const int x = n.inputs.at(0), y = n.outputs.at(0);
  if (n.inputs.size() != 2 || n.inputs[1] < 0 || !g.tensors[n.inputs[1]].is_const()) {
    Unsupported(n, "the slope must be a constant (initializer) to be supported");
  }
  Value minus = *g.tensors[n.inputs[1]].constant;
  if (minus.is_int) Fail(n, "the slope must be float");
  minus.f = -minus.f;
  const int slope = g.AddConstant(n.name + ".minus_slope", std::move(minus));
  const Tensor like = g.tensors[y];
  const int pos = NewTensor(g, n.name + ".pos", like), neg = NewTensor(g, n.name + ".neg", like);
  const int neg_pos = NewTensor(g, n.name + ".neg_pos", like),
            scaled = NewTensor(g, n.name + ".scaled", like);
  Node negate = MakeNode(n.name + ".negate", "Unary", {x}, neg);
  negate.attrs["function"].i = kNegFunction;
  return {MakeNode(n.name + ".relu", "Relu", {x}, pos), negate,
          MakeNode(n.name + ".relu_neg", "Relu", {neg}, neg_pos),
          MakeNode(n.name + ".scale", "Mul", {neg_pos, slope}, scaled),
          MakeNode(n.name, "Add", {pos, scaled}, y)};
}

// Max / Min of one computed tensor and scalar constants: a Clip.
std::vector<Node> ExpandMaxMin(Graph& g, const Node& n) {
  const bool is_max = n.op == "Max";
  int computed = -1;
  float bound =
      is_max ? -std::numeric_limits<float>::infinity() : std::numeric_limits<float>::infinity();
  for (int t : n.inputs) {
    if (t < 0) continue;
    const Tensor& x = g.tensors[t];
    if (!x.is_const()) {
      if (computed >= 0)
        Unsupported(n, "the " + n.op + " of two computed tensors is not supported");
      computed = t;
      continue;
    }
    if (NumElements(x.shape) != 1 || x.constant->is_int)
      Unsupported(n, "only scalar float constants are supported");
    const float v = x.constant->f[0];
    bound = is_max ? std::max(bound, v) : std::min(bound, v);
  }
  if (computed < 0) Fail(n, "no computed input");
  if (g.tensors[computed].shape != g.tensors[n.outputs.at(0)].shape)
    Unsupported(n, "broadcasting is not supported");
  Node clip = MakeNode(n.name, "Clip", {computed}, n.outputs.at(0));
  clip.attrs["min"].f = is_max ? bound : -std::numeric_limits<float>::infinity();
  clip.attrs["max"].f = is_max ? std::numeric_limits<float>::infinity() : bound;
  return {clip};
}

// Sum of computed tensors of the output's shape: a chain of Adds. (ONNX's
// variadic Mean would share its name with the runtime's spatial Mean.)
std::vector<Node> ExpandSum(Graph& g, const Node& n) {
  const int y = n.outputs.at(0);
  std::vector<int> ins;
  for (int t : n.inputs) {
    if (t < 0) continue;
    if (g.tensors[t].is_const() || g.tensors[t].shape != g.tensors[y].shape) {
      Unsupported(n, "only computed inputs of the output's shape are supported");
    }
    ins.push_back(t);
  }
  if (ins.empty()) Fail(n, "no inputs");
  std::vector<Node> out;
  int acc = ins[0];
  const Tensor like = g.tensors[y];
  for (size_t k = 1; k < ins.size(); ++k) {
    const bool last = k + 1 == ins.size();
    const int next = last ? y : NewTensor(g, n.name + ".sum" + std::to_string(k), like);
    out.push_back(
        MakeNode(n.name + (last ? "" : ".add" + std::to_string(k)), "Add", {acc, ins[k]}, next));
    acc = next;
  }
  if (out.empty()) {  // one input: a copy
    Node copy = MakeNode(n.name, "Reshape", {acc}, y);
    copy.attrs["shape"].ints = g.tensors[y].shape;
    out.push_back(copy);
  }
  return out;
}

}  // namespace

std::vector<OpDef> CompositeOps() {
  std::vector<OpDef> ops;
  ops.push_back({"PRelu", {}, EvalPRelu, nullptr, nullptr});
  ops.back().expand = ExpandPRelu;
  ops.push_back({"Max", {}, EvalMax, nullptr, nullptr});
  ops.back().expand = ExpandMaxMin;
  ops.push_back({"Min", {}, EvalMin, nullptr, nullptr});
  ops.back().expand = ExpandMaxMin;
  ops.push_back({"Sum", {}, EvalSum, nullptr, nullptr});
  ops.back().expand = ExpandSum;
  return ops;
}

}  // namespace mote::modelc
