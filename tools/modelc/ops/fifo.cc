// The runtime's Fifo (passes/stream.h): the persistent sliding window of a
// streamed input. The float reference is stateless, so it computes the
// first invoke after a reset: the window's first L - hop rows zero, then the
// input.
#include "ops/op_registry.h"

namespace mote::modelc {
namespace {

std::vector<Value> EvalFifo(const Graph&, const Node& n, const OpInputs& ins) {
  if (ins.size() != 1 || ins[0] == nullptr || ins[0]->is_int) Fail(n, "needs one float input");
  const Value& x = *ins[0];
  const int64_t axis = n.attr_int("axis", 0), hop = n.attr_int("hop", 1);
  const int64_t length = n.attr_int("length", 1);
  if (axis < 0 || axis >= static_cast<int64_t>(x.shape.size()) || x.shape[axis] != hop ||
      hop > length) {
    Fail(n, "input " + ShapeString(x.shape) + " does not hold hop rows along the axis");
  }
  Shape shape = x.shape;
  shape[axis] = length;
  int64_t outer = 1, row = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= x.shape[k];
  for (size_t k = static_cast<size_t>(axis) + 1; k < x.shape.size(); ++k) row *= x.shape[k];
  Eigen::ArrayXf w = Eigen::ArrayXf::Zero(NumElements(shape));
  for (int64_t o = 0; o < outer; ++o) {
    w.segment((o * length + length - hop) * row, hop * row) = x.f.segment(o * hop * row, hop * row);
  }
  return {Value::Float(shape, std::move(w))};
}

}  // namespace

std::vector<OpDef> FifoOps() { return {{"Fifo", {"axis", "hop", "length"}, EvalFifo}}; }

}  // namespace mote::modelc
