// ConstantOfShape and Expand, folded when their inputs are constant (the
// zero initial states PyTorch builds around GRU and LSTM from the input's
// static shape). Expand of a computed tensor has no runtime op yet.
#include <algorithm>

#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

Shape ShapeInput(const Node& n, const Value* v) {
  if (v == nullptr || !v->is_int || v->shape.size() != 1) Fail(n, "the shape must be a 1-D int64 tensor");
  Shape s(v->i.begin(), v->i.end());
  int64_t total = 1;
  for (int64_t d : s) {
    if (d < 0) Fail(n, "negative dimension " + std::to_string(d) + " in the shape");
    if (d > 0 && total > kMaxInputElements / d) Fail(n, "the shape " + ShapeString(s) + " is too large");
    total *= d;
  }
  return s;
}

std::vector<Value> EvalConstantOfShape(const Graph&, const Node& n, const OpInputs& ins) {
  const Shape shape = ShapeInput(n, ins.empty() ? nullptr : ins[0]);
  const int64_t count = NumElements(shape);
  if (!n.has_attr("value") || !n.attrs.at("value").tensor) {
    return {Value::Float(shape, Eigen::ArrayXf::Zero(count))};
  }
  const Value& v = *n.attrs.at("value").tensor;
  if (v.size() != 1) Fail(n, "value must hold exactly one element");
  if (v.is_int) return {Value::Int(shape, std::vector<int64_t>(static_cast<size_t>(count), v.i[0]))};
  return {Value::Float(shape, Eigen::ArrayXf::Constant(count, v.f[0]))};
}

// numpy broadcasting of x against `shape` (either side may hold the 1s).
std::vector<Value> EvalExpand(const Graph&, const Node& n, const OpInputs& ins) {
  if (ins.size() != 2 || ins[0] == nullptr) Fail(n, "needs input and shape");
  const Value& x = *ins[0];
  Shape target = ShapeInput(n, ins[1]);
  Shape xs = x.shape;
  const size_t rank = std::max(xs.size(), target.size());
  xs.insert(xs.begin(), rank - xs.size(), 1);
  target.insert(target.begin(), rank - target.size(), 1);
  Shape out(rank);
  for (size_t k = 0; k < rank; ++k) {
    if (xs[k] != target[k] && xs[k] != 1 && target[k] != 1) {
      Fail(n, "input " + ShapeString(x.shape) + " does not broadcast to " + ShapeString(target));
    }
    out[k] = xs[k] == 1 ? target[k] : xs[k];
  }
  if (NumElements(out) > kMaxInputElements) Fail(n, "the output " + ShapeString(out) + " is too large");
  const int64_t count = NumElements(out);
  std::vector<int64_t> source(static_cast<size_t>(count));
  std::vector<int64_t> index(rank, 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t j = 0;
    for (size_t k = 0; k < rank; ++k) j = j * xs[k] + (xs[k] == 1 ? 0 : index[k]);
    source[static_cast<size_t>(i)] = j;
    for (size_t k = rank; k-- > 0;) {
      if (++index[k] < out[k]) break;
      index[k] = 0;
    }
  }
  if (x.is_int) {
    std::vector<int64_t> v;
    for (int64_t j : source) v.push_back(x.i[static_cast<size_t>(j)]);
    return {Value::Int(out, std::move(v))};
  }
  Eigen::ArrayXf v(count);
  for (int64_t i = 0; i < count; ++i) v[i] = x.f[source[static_cast<size_t>(i)]];
  return {Value::Float(out, std::move(v))};
}

}  // namespace

std::vector<OpDef> ConstantOfShapeOps() {
  return {{"ConstantOfShape", {"value"}, EvalConstantOfShape, nullptr, nullptr},
          {"Expand", {}, EvalExpand, nullptr, nullptr}};
}

}  // namespace mote::modelc
