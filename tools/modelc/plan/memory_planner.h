// Arena planning: lifetimes of all computed tensors -> 16-byte aligned
// offsets. Reshape outputs share their input's bytes; elementwise ops whose
// input dies with them write in place; a Conv2D whose input dies with it may
// write its output over that input from a margin below it
// (kernels/reference/in_place.h), where that makes the arena smaller.
#ifndef MOTE_TOOLS_MODELC_PLAN_MEMORY_PLANNER_H_
#define MOTE_TOOLS_MODELC_PLAN_MEMORY_PLANNER_H_

#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace mote::modelc {

struct MemoryPlan {
  std::vector<int64_t> offset;  // per tensor; -1 for constants and unused tensors
  int64_t arena_size = 0;       // bytes the runtime needs
  int64_t lower_bound = 0;      // max bytes live at any step, less the overlaps allowed there
};

inline constexpr int64_t kArenaAlignment = 16;

int64_t TensorBytes(const Tensor& t);
MemoryPlan PlanMemory(const Graph& graph);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_PLAN_MEMORY_PLANNER_H_
