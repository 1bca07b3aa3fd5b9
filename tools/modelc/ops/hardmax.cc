// Hardmax (ONNX): 1 at the first maximum along an axis, 0 elsewhere. No
// runtime op of its own: m = ReduceMax(x) (keepdims), eq = (x == m),
// c = CumSum(eq) along the axis, out = eq And (c < 1.5), i.e. the first
// maximum only (c < 1.5 rather than c == 1 stays exact when c is
// quantized). Five O(n) passes; booleans as ops/logic.cc carries them.
// Before opset 13 the axis means the flattened axes from `axis`: a Reshape
// to [outer, inner] and back.
#include "mote/schema/mote_generated.h"
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

int64_t AxisOf(const Graph& g, const Node& n, size_t rank) {
  int64_t axis = n.attr_int("axis", g.opset < 13 ? 1 : -1);
  if (axis < 0) axis += static_cast<int64_t>(rank);
  if (axis < 0 || axis >= static_cast<int64_t>(rank)) {
    Fail(n, "axis " + std::to_string(n.attr_int("axis", -1)) + " out of range for rank " +
                std::to_string(rank));
  }
  return axis;
}

// [outer, length, inner] around the hardmax axis (flattened before opset 13).
struct Lines {
  int64_t outer = 1, length = 1, inner = 1;
};

Lines LinesOf(const Graph& g, const Node& n, const Shape& s) {
  const size_t axis = static_cast<size_t>(AxisOf(g, n, s.size()));
  Lines l;
  for (size_t d = 0; d < s.size(); ++d) {
    if (d < axis) l.outer *= s[d];
    if (d == axis) l.length = s[d];
    if (d > axis) l.inner *= s[d];
  }
  if (g.opset < 13) {
    l.length *= l.inner;
    l.inner = 1;
  }
  return l;
}

std::vector<Value> EvalHardmax(const Graph& g, const Node& n, const OpInputs& ins) {
  if (ins.empty() || ins[0] == nullptr || ins[0]->is_int) Fail(n, "needs a float input");
  const Value& x = *ins[0];
  if (x.shape.empty()) Fail(n, "input must have at least one dimension");
  const Lines l = LinesOf(g, n, x.shape);
  Value y = Value::Float(x.shape, Eigen::ArrayXf::Zero(x.size()));
  for (int64_t o = 0; o < l.outer; ++o) {
    for (int64_t i = 0; i < l.inner; ++i) {
      int64_t best = -1;
      for (int64_t k = 0; k < l.length; ++k) {
        const int64_t at = (o * l.length + k) * l.inner + i;
        if (best < 0 || x.f[at] > x.f[best]) best = at;
      }
      if (best >= 0) y.f[best] = 1.0f;
    }
  }
  return {y};
}

int NewTensor(Graph& g, const std::string& name, const Shape& shape) {
  Tensor t;
  t.name = name;
  t.shape = shape;
  return g.AddTensor(std::move(t));
}

Node Make(const std::string& name, const std::string& op, std::vector<int> inputs, int output) {
  Node m;
  m.name = name;
  m.op = op;
  m.inputs = std::move(inputs);
  m.outputs = {output};
  return m;
}

Node Compare(const std::string& name, schema::CompareFunction f, int a, int b, int out) {
  Node c = Make(name, "Compare", {a, b}, out);
  c.attrs["function"].i = static_cast<int64_t>(f);
  return c;
}

std::vector<Node> ExpandHardmax(Graph& g, const Node& n) {
  const int x = n.inputs.at(0), y = n.outputs.at(0);
  const Shape s = g.tensors[x].shape;
  if (s.empty()) Fail(n, "input must have at least one dimension");
  std::vector<Node> nodes;
  int in = x;
  Shape work = s;
  int64_t axis = AxisOf(g, n, s.size());
  if (g.opset < 13) {  // flattened: [outer, inner]
    const Lines l = LinesOf(g, n, s);
    work = {l.outer, l.length};
    axis = 1;
    in = NewTensor(g, n.name + ".rows", work);
    Node r = Make(n.name + ".rows", "Reshape", {x}, in);
    r.attrs["shape"].ints = work;
    nodes.push_back(r);
  }
  Shape kept = work;
  kept[static_cast<size_t>(axis)] = 1;
  const int max = NewTensor(g, n.name + ".max", kept);
  Node reduce = Make(n.name + ".max", "ReduceMax", {in}, max);
  reduce.attrs["axes"].ints = {axis};
  reduce.attrs["keepdims"].i = 1;
  for (Node& m : ExpandReduce(g, reduce)) nodes.push_back(std::move(m));
  const int eq = NewTensor(g, n.name + ".is_max", work);
  nodes.push_back(Compare(n.name + ".is_max", schema::CompareFunction::Equal, in, max, eq));
  const int count = NewTensor(g, n.name + ".count", work);
  Node cumsum = Make(n.name + ".count", "CumSum", {eq}, count);
  cumsum.attrs["axis"].i = axis;
  nodes.push_back(cumsum);
  const int first = NewTensor(g, n.name + ".first", work);
  const int half = g.AddConstant(n.name + ".one_and_a_half",
                                 Value::Float({}, Eigen::ArrayXf::Constant(1, 1.5f)));
  nodes.push_back(Compare(n.name + ".first", schema::CompareFunction::Less, count, half, first));
  const int out = g.opset < 13 ? NewTensor(g, n.name + ".rows_out", work) : y;
  nodes.push_back(Compare(n.name, schema::CompareFunction::And, eq, first, out));
  if (g.opset < 13) {
    Node r = Make(n.name + ".unrows", "Reshape", {out}, y);
    r.attrs["shape"].ints = s;
    nodes.push_back(r);
  }
  return nodes;
}

}  // namespace

std::vector<OpDef> HardmaxOps() {
  return {{"Hardmax", {"axis"}, EvalHardmax, nullptr, ExpandHardmax}};
}

}  // namespace mote::modelc
