// Declarations of every op's Check and Eval (generated from the op list).
#ifndef MOTE_KERNELS_OPS_OPS_H_
#define MOTE_KERNELS_OPS_OPS_H_

#include "kernels/paths.h"
#include "src/op_context.h"
#include "src/op_list.h"

namespace mote::internal {

#define MOTE_DECLARE_OP(op, check, eval, options) \
  Status check(const OpContext& ctx);             \
  void eval(const OpContext& ctx);
MOTE_OP_LIST(MOTE_DECLARE_OP)
#undef MOTE_DECLARE_OP

// The DSP kernel paths (kernels/paths.h) an int8 op of these kinds takes,
// from the file alone (scratch: its planned size); 0 for other types. Host
// tools report them (src/kernel_paths.h); firmware links them only to check
// them at load (CheckKernelPaths), when it leaves paths out.
uint32_t DspPathsConv2D(const OpContext& ctx);
uint32_t DspPathsDepthwiseConv2D(const OpContext& ctx);
uint32_t DspPathsFullyConnected(const OpContext& ctx);

// In DSP builds that leave kernel paths out (MOTE_KERNEL_PATHS): the op's
// paths, or else its reference path, must be compiled in.
inline Status CheckKernelPaths(const OpContext& ctx, uint32_t (*paths_of)(const OpContext&),
                               uint32_t reference) {
  if constexpr (kernel_paths::kChecked) {
    const uint32_t paths = paths_of(ctx);
    if (!kernel_paths::Runs(paths, reference)) {
      return Report(Status::kUnsupportedOp, "kernel path not compiled into this runtime",
                    ctx.index, -1, paths, kernel_paths::kBuilt);
    }
  }
  return Status::kOk;
}

}  // namespace mote::internal

#endif  // MOTE_KERNELS_OPS_OPS_H_
