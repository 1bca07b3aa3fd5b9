// Declarations of every op's Check and Eval (generated from the op list).
#ifndef MOTE_KERNELS_OPS_OPS_H_
#define MOTE_KERNELS_OPS_OPS_H_

#include "src/op_context.h"
#include "src/op_list.h"

namespace mote::internal {

#define MOTE_DECLARE_OP(op, check, eval, options) \
  Status check(const OpContext& ctx);             \
  void eval(const OpContext& ctx);
MOTE_OP_LIST(MOTE_DECLARE_OP)
#undef MOTE_DECLARE_OP

}  // namespace mote::internal

#endif  // MOTE_KERNELS_OPS_OPS_H_
