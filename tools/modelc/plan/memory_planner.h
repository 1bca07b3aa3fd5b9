// Arena planning: lifetimes of all computed tensors -> 16-byte aligned
// offsets. Reshape outputs share their input's bytes; elementwise ops whose
// input dies with them write in place; a Conv2D whose input dies with it may
// write its output over that input from a margin below it
// (kernels/reference/in_place.h), where that makes the arena smaller. Each
// op's kernel scratch (plan/cores.h) is a buffer live during that op alone,
// so it shares bytes with no tensor the op reads or writes.
#ifndef MOTE_TOOLS_MODELC_PLAN_MEMORY_PLANNER_H_
#define MOTE_TOOLS_MODELC_PLAN_MEMORY_PLANNER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "plan/cores.h"

namespace mote::modelc {

struct MemoryPlan {
  std::vector<int64_t> offset;  // per tensor; -1 for constants and unused tensors
  int64_t arena_size = 0;       // bytes the runtime needs
  int64_t state_size = 0;       // of which [0, state_size) hold the persistent tensors
  int64_t lower_bound = 0;      // max bytes live at any step, less the overlaps allowed there
  std::vector<int64_t> scratch_offset;  // per node; 0 where scratch_size is 0
  std::vector<int64_t> scratch_size;    // per node: its kernels' scratch bytes
  std::vector<std::string> cores;       // the cores planned for (plan/cores.h)
};

inline constexpr int64_t kArenaAlignment = 16;

int64_t TensorBytes(const Tensor& t);
// Plans for the kernels of `cores` (AllCores() by default).
MemoryPlan PlanMemory(const Graph& graph, const std::vector<std::string>& cores = AllCores());

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_PLAN_MEMORY_PLANNER_H_
