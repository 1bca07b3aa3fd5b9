// ArgMax / ArgMin (ONNX) over any axis, with keepdims and
// select_last_index. A 2-D ArgMax over class scores that ends the graph is
// the ClassifierHead (ml/classic.cc, first maximum); every other one becomes
// the runtime's TopK with k = 1 (largest for ArgMax, smallest for ArgMin,
// ties to the first index or, with select_last_index, the last), whose
// Int64 indices are the result, then a Reshape dropping the axis when
// keepdims = 0. O(n) comparisons per line.
#include <cmath>

#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

int64_t AxisOf(const Node& n, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  const int64_t axis = n.attr_int("axis", 0);
  if (axis < -r || axis >= r) {
    Fail(n, "attribute axis = " + std::to_string(axis) + " is out of range for rank " +
                std::to_string(r));
  }
  return axis < 0 ? axis + r : axis;
}

Shape OutputShape(const Node& n, Shape s, size_t axis) {
  if (n.attr_int("keepdims", 1) != 0)
    s[axis] = 1;
  else
    s.erase(s.begin() + static_cast<long>(axis));
  return s;
}

std::vector<Value> EvalArg(const Graph&, const Node& n, const OpInputs& ins) {
  if (ins.empty() || ins[0] == nullptr) Fail(n, "input 0 is missing");
  const Value& x = *ins[0];
  if (x.shape.empty()) Fail(n, "the input must have at least one dimension");
  const size_t axis = static_cast<size_t>(AxisOf(n, x.shape.size()));
  const bool max = n.op == "ArgMax", last = n.attr_int("select_last_index", 0) != 0;
  const int64_t length = x.shape[axis];
  if (length == 0) Fail(n, "the reduced axis is empty");
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    if (d < axis) outer *= x.shape[d];
    if (d > axis) inner *= x.shape[d];
  }
  // a better than b: NaN above every number, as the runtime's TopK orders.
  auto better = [&](int64_t a, int64_t b) {
    if (x.is_int) return max ? x.i[a] > x.i[b] : x.i[a] < x.i[b];
    const float u = x.f[a], v = x.f[b];
    if (std::isnan(u) || std::isnan(v))
      return max ? std::isnan(u) && !std::isnan(v) : std::isnan(v) && !std::isnan(u);
    return max ? u > v : u < v;
  };
  auto equal = [&](int64_t a, int64_t b) { return !better(a, b) && !better(b, a); };
  std::vector<int64_t> idx;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) { return (o * length + j) * inner + i; };
      int64_t best = 0;
      for (int64_t j = 1; j < length; ++j)
        if (better(at(j), at(best)) || (last && equal(at(j), at(best)))) best = j;
      idx.push_back(best);
    }
  return {Value::Int(OutputShape(n, x.shape, axis), std::move(idx))};
}

std::vector<Node> ExpandArg(Graph& g, const Node& n) {
  const int x = n.inputs.at(0), y = n.outputs.at(0);
  if (g.tensors[x].dtype != DType::kFloat32) {
    Unsupported(n, n.op + " of a computed " + std::string(DTypeName(g.tensors[x].dtype)) +
                       " tensor is not supported (computed tensors are float32)");
  }
  const size_t axis = static_cast<size_t>(AxisOf(n, g.tensors[x].shape.size()));
  Shape kept = g.tensors[x].shape;
  kept[axis] = 1;
  Tensor values;
  values.name = n.name + ".value";
  values.shape = kept;
  const int v = g.AddTensor(std::move(values));
  const bool keep = n.attr_int("keepdims", 1) != 0;
  int indices = y;
  if (!keep) {
    Tensor t;
    t.name = n.name + ".index";
    t.shape = kept;
    t.dtype = DType::kInt64;
    indices = g.AddTensor(std::move(t));
  }
  g.tensors[y].dtype = DType::kInt64;
  Node topk;
  topk.name = keep ? n.name : n.name + ".topk";
  topk.op = "TopK";
  topk.inputs = {x};
  topk.outputs = {v, indices};
  topk.attrs["k"].i = 1;
  topk.attrs["axis"].i = static_cast<int64_t>(axis);
  topk.attrs["largest"].i = n.op == "ArgMax";
  topk.attrs["mote_ties_to_last"].i = n.attr_int("select_last_index", 0) != 0;
  if (keep) return {topk};
  Node reshape;
  reshape.name = n.name;
  reshape.op = "Reshape";
  reshape.inputs = {indices};
  reshape.outputs = {y};
  reshape.attrs["shape"].ints = g.tensors[y].shape;
  return {topk, reshape};
}

}  // namespace

std::vector<OpDef> ArgMaxOps() {
  const std::vector<std::string> attributes = {"axis", "keepdims", "select_last_index"};
  OpDef argmax{"ArgMax", attributes, EvalArg};
  argmax.expand = ExpandArg;
  OpDef argmin{"ArgMin", attributes, EvalArg};
  argmin.expand = ExpandArg;
  return {argmax, argmin};
}

}  // namespace mote::modelc
