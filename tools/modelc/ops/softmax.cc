// Softmax and LogSoftmax on any axis. The runtime's Softmax works on the last
// axis (NHWC channels for 4-D tensors); another axis is moved there by a
// Transpose before and after (one copy each way: simpler and cheaper to
// check than a strided kernel, and exact: a transpose moves bytes only).
// Before opset 13 the op means a softmax over the flattened axes from
// `axis`: a Reshape to [outer, inner] and back. LogSoftmax is Softmax then
// the Unary Log.
#include <cmath>
#include <limits>

#include "mote/schema/mote_generated.h"
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

int64_t AxisOf(const Graph& g, const Node& n, size_t rank) {
  int64_t axis = n.attr_int("axis", g.opset < 13 ? 1 : -1);
  if (axis < 0) axis += static_cast<int64_t>(rank);
  if (axis < 0 || axis >= static_cast<int64_t>(rank) || rank == 0)
    Fail(n, "axis " + std::to_string(n.attr_int("axis", -1)) + " out of range for rank " +
                std::to_string(rank));
  return axis;
}

std::vector<Value> EvalLogSoftmax(const Graph& g, const Node& n, const OpInputs& ins) {
  if (ins.empty() || ins[0] == nullptr || ins[0]->is_int) Fail(n, "needs a float input");
  const Value& x = *ins[0];
  const int64_t axis = AxisOf(g, n, x.shape.size());
  int64_t inner = 1;
  for (size_t k = static_cast<size_t>(axis) + 1; k < x.shape.size(); ++k) inner *= x.shape[k];
  int64_t len = x.shape[axis];
  if (g.opset < 13) {
    len *= inner;
    inner = 1;
  }
  Value y = x;
  const int64_t outer = len * inner == 0 ? 0 : x.size() / (len * inner);
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * len * inner + i;
      double m = -std::numeric_limits<double>::infinity(), sum = 0;
      for (int64_t k = 0; k < len; ++k) m = std::max<double>(m, x.f[base + k * inner]);
      for (int64_t k = 0; k < len; ++k) sum += std::exp(x.f[base + k * inner] - m);
      for (int64_t k = 0; k < len; ++k)
        y.f[base + k * inner] = static_cast<float>(x.f[base + k * inner] - m - std::log(sum));
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

Node MakeNode(const std::string& name, const std::string& op, int input, int output) {
  Node m;
  m.name = name;
  m.op = op;
  m.inputs = {input};
  m.outputs = {output};
  return m;
}

Node Reorder(const std::string& name, int from, int to, const std::vector<int64_t>& perm) {
  Node t = MakeNode(name, "Transpose", from, to);
  t.attrs["perm"].ints = perm;
  return t;
}

Node Reshape(const std::string& name, int from, int to, const Shape& shape) {
  Node r = MakeNode(name, "Reshape", from, to);
  r.attrs["shape"].ints = shape;
  return r;
}

}  // namespace

std::vector<Node> LowerSoftmax(Graph& g, const Node& n) {
  const int x = n.inputs.at(0), y = n.outputs.at(0);
  const Shape s = g.tensors[x].shape;
  const int64_t rank = static_cast<int64_t>(s.size());
  const int64_t axis = AxisOf(g, n, s.size());
  const bool log = n.op == "LogSoftmax";
  std::vector<Node> nodes;
  // The softmax's own output: y, or a tensor the Log then reads.
  const int soft_out = log ? NewTensor(g, n.name + ".softmax", s) : y;
  auto softmax = [&](int in, int out, int64_t at) {
    Node m = MakeNode(n.name + (log ? ".softmax" : ""), "Softmax", in, out);
    m.attrs["axis"].i = at;
    m.attrs["beta"].f = n.attr_float("beta", 1.0f);  // TFLite's
    return m;
  };
  int64_t after = 1;  // elements after the axis
  for (int64_t k = axis + 1; k < rank; ++k) after *= s[k];
  // A 4-D tensor of an NCHW graph is stored NHWC: its last axis there is C.
  const bool last_is_stored_last = rank != 4 || g.nhwc;
  if (last_is_stored_last &&
      (axis == rank - 1 ||
       (g.opset < 13 && NumElements(Shape(s.begin() + axis, s.end() - 1)) == 1))) {
    nodes.push_back(softmax(x, soft_out, -1));
  } else if (g.nhwc) {
    Unsupported(n, "softmax over an axis other than the last of an NHWC model is not supported");
  } else if (g.opset < 13 || after == 1) {  // the flattened axes from `axis` (or the axis alone)
    const int64_t outer = NumElements(Shape(s.begin(), s.begin() + axis));
    const Shape flat = {outer, NumElements(s) / std::max<int64_t>(outer, 1)};
    const int a = NewTensor(g, n.name + ".rows", flat),
              b = NewTensor(g, n.name + ".rows_out", flat);
    nodes.push_back(Reshape(n.name + ".to_rows", x, a, flat));
    nodes.push_back(softmax(a, b, -1));
    nodes.push_back(Reshape(n.name + ".from_rows", b, soft_out, s));
  } else if (rank == 4 && axis == 1) {  // NCHW channels: the last axis once NHWC
    nodes.push_back(softmax(x, soft_out, 1));
  } else {
    // Move the axis last (4-D: to the channels, which the layout puts last).
    const int64_t to = rank == 4 ? 1 : rank - 1;
    std::vector<int64_t> perm(static_cast<size_t>(rank));
    for (int64_t k = 0; k < rank; ++k) perm[k] = k;
    std::swap(perm[axis], perm[to]);
    Shape moved = s;
    std::swap(moved[axis], moved[to]);
    const int a = NewTensor(g, n.name + ".moved", moved),
              b = NewTensor(g, n.name + ".moved_out", moved);
    nodes.push_back(Reorder(n.name + ".to_last", x, a, perm));
    nodes.push_back(softmax(a, b, rank == 4 ? 1 : -1));
    nodes.push_back(Reorder(n.name + ".from_last", b, soft_out, perm));
  }
  if (log) {
    Node l = MakeNode(n.name, "Unary", soft_out, y);
    l.attrs["function"].i = static_cast<int64_t>(schema::UnaryFunction::Log);
    nodes.push_back(l);
  }
  return nodes;
}

std::vector<OpDef> SoftmaxOps() {
  std::vector<OpDef> ops;
  ops.push_back({"LogSoftmax", {"axis"}, EvalLogSoftmax});
  return ops;
}

}  // namespace mote::modelc
