// Reshape: the bytes do not change. modelc usually plans the output on top of
// the input, which makes this a no-op; otherwise it is a copy.
#include <string.h>

#include "kernels/ops/ops.h"

namespace mote::internal {

Status CheckReshape(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.output(0)));
  MOTE_TRY(ExpectSameQuant(ctx, ctx.input(0), ctx.output(0)));
  if (NumElements(ctx.input(0)) != NumElements(ctx.output(0))) {
    return ctx.Fail("reshape changes the number of elements",
                    static_cast<int64_t>(NumElements(ctx.input(0))),
                    static_cast<int64_t>(NumElements(ctx.output(0))));
  }
  return Status::kOk;
}

void EvalReshape(const OpContext& ctx) {
  const uint8_t* in = ctx.Data(ctx.input(0));
  uint8_t* out = ctx.output_data<uint8_t>(0);
  if (in != out) {
    memmove(out, in, NumElements(ctx.input(0)) * ElementSize(TypeOf(ctx.input(0))));
  }
}

}  // namespace mote::internal
