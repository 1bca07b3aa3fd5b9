// GlobalMaxPool: the maximum over every spatial position, lowered to a
// MaxPool whose window is the whole image (1-D inputs arrive lifted to
// [N, C, 1, L] by passes/lift_1d.cc).
#include <algorithm>
#include <limits>

#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

std::vector<Value> EvalGlobalMaxPool(const Graph&, const Node& n, const OpInputs& ins) {
  if (ins.empty() || ins[0] == nullptr || ins[0]->is_int) Fail(n, "input 0 must be a float tensor");
  const Value& x = *ins[0];
  if (x.shape.size() < 3) Fail(n, "the input " + ShapeString(x.shape) + " has no spatial axes");
  const int64_t planes = x.shape[0] * x.shape[1];
  const int64_t area = planes == 0 ? 0 : x.size() / planes;
  Shape out = {x.shape[0], x.shape[1]};
  out.resize(x.shape.size(), 1);
  Eigen::ArrayXf y(planes);
  for (int64_t p = 0; p < planes; ++p) {
    float m = -std::numeric_limits<float>::infinity();
    for (int64_t k = 0; k < area; ++k) m = std::max(m, x.f[p * area + k]);
    y[p] = m;
  }
  return {Value::Float(out, std::move(y))};
}

void LowerGlobalMaxPool(Graph& g, Node& n) {
  const Shape& in = g.tensors.at(n.inputs.at(0)).shape;
  if (in.size() != 4)
    Unsupported(n, "only 1-D and 2-D inputs are supported, not " + ShapeString(in));
  n.op = "MaxPool";
  n.attrs.clear();
  n.attrs["kernel_shape"].ints = {in[2], in[3]};
  n.attrs["strides"].ints = {1, 1};
}

}  // namespace

std::vector<OpDef> GlobalPoolOps() {
  return {{"GlobalMaxPool", {}, EvalGlobalMaxPool, LowerGlobalMaxPool, nullptr, false}};
}

}  // namespace mote::modelc
