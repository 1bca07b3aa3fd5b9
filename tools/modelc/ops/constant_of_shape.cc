// ConstantOfShape, folded (its shape input is constant once shapes are
// static): the zero initial states PyTorch builds around GRU and LSTM.
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

Shape ShapeInput(const Node& n, const Value* v) {
  if (v == nullptr || !v->is_int || v->shape.size() != 1)
    Fail(n, "the shape must be a 1-D int64 tensor");
  Shape s(v->i.begin(), v->i.end());
  int64_t total = 1;
  for (int64_t d : s) {
    if (d < 0) Fail(n, "negative dimension " + std::to_string(d) + " in the shape");
    if (d > 0 && total > kMaxInputElements / d)
      Fail(n, "the shape " + ShapeString(s) + " is too large");
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
  if (v.is_int)
    return {Value::Int(shape, std::vector<int64_t>(static_cast<size_t>(count), v.i[0]))};
  return {Value::Float(shape, Eigen::ArrayXf::Constant(count, v.f[0]))};
}

}  // namespace

std::vector<OpDef> ConstantOfShapeOps() {
  return {{"ConstantOfShape", {"value"}, EvalConstantOfShape, nullptr, nullptr}};
}

}  // namespace mote::modelc
