// Placeholder glue for opcodes the schema defines but this runtime version
// cannot run yet: a model using one is refused at load with kUnsupportedOp.
#include "kernels/ops/ops.h"

namespace mote::internal {

Status CheckNotImplemented(const OpContext& ctx) {
  return Report(Status::kUnsupportedOp, "op not implemented in this runtime version", ctx.index, -1,
                static_cast<int64_t>(ctx.op->opcode()));
}

void EvalNotImplemented(const OpContext&) {}

}  // namespace mote::internal
