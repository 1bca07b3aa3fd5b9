// Relu, Relu6 and Clip: clamp in the tensor's own domain (modelc gives the
// output the input's quantization, so no rescaling is needed).
#include "kernels/ops/ops.h"
#include "kernels/reference/elementwise.h"

namespace mote::internal {

Status CheckClamp(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  if (ctx.op->options_as_ClampOptions() == nullptr) return ctx.Fail("options table missing");
  MOTE_TRY(ExpectKernelType(ctx, ctx.input(0)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.output(0)));
  MOTE_TRY(ExpectSameShape(ctx, ctx.input(0), ctx.output(0)));
  MOTE_TRY(ExpectSameQuant(ctx, ctx.input(0), ctx.output(0)));
  return CheckActivationRange(ctx, ctx.op->options_as_ClampOptions()->range(), ctx.output(0));
}

void EvalClamp(const OpContext& ctx) {
  const schema::ActivationRange& r = *ctx.op->options_as_ClampOptions()->range();
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      reference::Clamp<int8_t>(ctx.input_span<int8_t>(0), static_cast<int8_t>(r.min()),
                               static_cast<int8_t>(r.max()), ctx.output_span<int8_t>(0));
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      reference::Clamp<int16_t>(ctx.input_span<int16_t>(0), static_cast<int16_t>(r.min()),
                                static_cast<int16_t>(r.max()), ctx.output_span<int16_t>(0));
      break;
    default:
      if (!kFloat32Kernels) break;
      reference::Clamp<float>(ctx.input_span<float>(0), r.fmin(), r.fmax(),
                              ctx.output_span<float>(0));
      break;
  }
}

}  // namespace mote::internal
