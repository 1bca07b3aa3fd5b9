#include "plan/cost.h"

#include "plan/memory_planner.h"

namespace mote::modelc {

OpCost CostOf(const Graph& g, const Node& n) {
  OpCost c;
  const Tensor& out = g.tensors[n.outputs[0]];
  const int64_t elements = NumElements(out.shape);
  for (int t : n.inputs) {
    if (t >= 0) c.bytes_moved += TensorBytes(g.tensors[t]);
  }
  c.bytes_moved += TensorBytes(out);
  if (n.op == "FullyConnected") {
    c.macs = elements * g.tensors[n.inputs[1]].shape[1];
    c.elementwise = elements;  // requantize and clamp
  } else if (n.op == "Softmax") {
    c.elementwise = 3 * elements;  // max, exp + sum, normalize
  } else if (n.op == "Reshape") {
    c.bytes_moved = 0;  // planned in place
  } else {
    c.elementwise = elements;
  }
  return c;
}

}  // namespace mote::modelc
