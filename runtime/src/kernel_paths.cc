#include "src/kernel_paths.h"

#include "kernels/ops/ops.h"

namespace mote::internal {

uint32_t DspKernelPaths(const schema::Model& model, int32_t index) {
  OpContext ctx;
  ctx.model = &model;
  ctx.op = model.operators()->Get(static_cast<uint32_t>(index));
  ctx.index = index;
  switch (ctx.op->opcode()) {
    case schema::OpCode::Conv2D:
      return DspPathsConv2D(ctx);
    case schema::OpCode::DepthwiseConv2D:
      return DspPathsDepthwiseConv2D(ctx);
    case schema::OpCode::FullyConnected:
      return DspPathsFullyConnected(ctx);
    default:
      return 0;
  }
}

}  // namespace mote::internal
