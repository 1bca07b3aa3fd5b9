// TopK (ONNX): the k largest or smallest elements along an axis and their
// indices, as the runtime's TopK (kernels/reference/topk.h): always sorted
// (valid for sorted=0, whose order ONNX leaves open), ties to the lower
// index, O(k n) comparisons per line. K must be a constant; it and the axis
// become attributes when lowered. The values keep the input's quantization;
// the indices are an Int64 tensor, which a Gather may read.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

// TopK's axis defaults to the last, ArgMax's and ArgMin's to the first.
int64_t AxisOf(const Node& n, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  int64_t axis = n.attr_int("axis", n.op == "TopK" ? -1 : 0);
  if (axis < -r || axis >= r) Fail(n, "axis " + std::to_string(axis) + " out of range");
  return axis < 0 ? axis + r : axis;
}

int64_t KOf(const Node& n, const OpInputs& ins) {
  if (ins.size() > 1 && ins[1] != nullptr) {
    if (ins[1]->size() != 1) Fail(n, "K must hold one value");
    return ins[1]->AsInt(0);
  }
  if (!n.has_attr("k")) Fail(n, "K is missing");
  return n.attr_int("k", 0);
}

std::vector<Value> EvalTopK(const Graph&, const Node& n, const OpInputs& ins) {
  if (ins.empty() || ins[0] == nullptr) Fail(n, "input 0 is missing");
  const Value& x = *ins[0];
  if (x.shape.empty()) Fail(n, "input must have at least one dimension");
  const size_t axis = static_cast<size_t>(AxisOf(n, x.shape.size()));
  const int64_t k = KOf(n, ins);
  const int64_t length = x.shape[axis];
  if (k < 0 || k > length) {
    Fail(n, "K = " + std::to_string(k) + " outside [0, " + std::to_string(length) + "]");
  }
  const bool largest = n.attr_int("largest", 1) != 0;
  int64_t outer = 1, inner = 1;
  for (size_t d = 0; d < x.shape.size(); ++d) {
    if (d < axis) outer *= x.shape[d];
    if (d > axis) inner *= x.shape[d];
  }
  Shape out = x.shape;
  out[axis] = k;
  Eigen::ArrayXf values(NumElements(out));
  std::vector<int64_t> indices(static_cast<size_t>(NumElements(out)));
  std::vector<int64_t> order(static_cast<size_t>(length));
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      auto at = [&](int64_t j) { return x.AsFloat((o * length + j) * inner + i); };
      // NaN above every number; equal values keep index order (stable sort).
      auto greater = [&](float a, float b) {
        if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && !std::isnan(b);
        return a > b;
      };
      std::iota(order.begin(), order.end(), 0);
      if (n.attr_int("mote_ties_to_last", 0) != 0) std::reverse(order.begin(), order.end());
      std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
        return largest ? greater(at(a), at(b)) : greater(at(b), at(a));
      });
      for (int64_t j = 0; j < k; ++j) {
        const int64_t to = (o * k + j) * inner + i;
        values[to] = at(order[static_cast<size_t>(j)]);
        indices[static_cast<size_t>(to)] = order[static_cast<size_t>(j)];
      }
    }
  }
  return {Value::Float(out, std::move(values)), Value::Int(out, std::move(indices))};
}

void LowerTopK(Graph& g, Node& n) {
  const int in = n.inputs.at(0);
  if (g.tensors[in].dtype != DType::kFloat32) {
    Unsupported(n, "TopK of a computed " + std::string(DTypeName(g.tensors[in].dtype)) +
                       " tensor is not supported (computed tensors are float32)");
  }
  const size_t rank = g.tensors[in].shape.size();
  if (n.inputs.size() > 1 && n.inputs[1] >= 0 && !g.tensors[n.inputs[1]].is_const()) {
    Unsupported(n, "a computed K is not supported (it must be a constant)");
  }
  if (n.outputs.size() != 2) Fail(n, "needs two outputs (values, indices)");
  const OpInputs ins = {nullptr, n.inputs.size() > 1 && n.inputs[1] >= 0
                                     ? &*g.tensors[n.inputs[1]].constant
                                     : nullptr};
  n.attrs["k"].i = KOf(n, ins);
  n.attrs["axis"].i = AxisOf(n, rank);
  n.attrs["largest"].i = n.attr_int("largest", 1) != 0;
  n.attrs.erase("sorted");  // always sorted
  n.inputs.resize(1);
}

}  // namespace

std::vector<OpDef> TopKOps() {
  // ONNX TopK and the mote op share the name; lowering moves K into an attribute.
  // mote_ties_to_last: equal values give the higher index first (set by
  // ops/argmax.cc for select_last_index).
  return {{"TopK", {"axis", "largest", "sorted", "k", "mote_ties_to_last"}, EvalTopK, LowerTopK}};
}

}  // namespace mote::modelc
