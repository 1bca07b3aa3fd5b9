// Cost of each op per inference, fixed at conversion time.
#ifndef MOTE_TOOLS_MODELC_PLAN_COST_H_
#define MOTE_TOOLS_MODELC_PLAN_COST_H_

#include <cstdint>

#include "ir/graph.h"

namespace mote::modelc {

struct OpCost {
  int64_t macs = 0;            // multiply-accumulates
  int64_t elementwise = 0;     // other per-element operations (compare, lookup, add)
  int64_t bytes_moved = 0;     // bytes read and written from activations and weights
};

OpCost CostOf(const Graph& graph, const Node& node);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_PLAN_COST_H_
