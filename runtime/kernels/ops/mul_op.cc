// Mul with broadcasting; each input and the output have their own scale.
#include "kernels/ops/ops.h"
#include "kernels/reference/mul.h"
#include "kernels/selected.h"

namespace mote::internal {

Status CheckMul(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 2, 2, 1));
  const auto* o = ctx.op->options_as_MulOptions();
  if (o == nullptr) return ctx.Fail("options table missing");
  MOTE_TRY(ExpectKernelType(ctx, ctx.input(0)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.input(1)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.output(0)));
  reference::Broadcast b;
  if (!reference::MakeBroadcast(ShapeOf(ctx.input(0)), ShapeOf(ctx.input(1)),
                                ShapeOf(ctx.output(0)), &b)) {
    return ctx.Fail("input shapes do not broadcast to the output shape");
  }
  MOTE_TRY(CheckActivationRange(ctx, o->activation(), ctx.output(0)));
  const ElementType type = TypeOf(ctx.input(0));
  if (type == ElementType::kFloat32) return Status::kOk;
  // Symmetric int16 keeps the product of two inputs inside int32.
  if (type == ElementType::kInt16 &&
      (ZeroPointOf(ctx.input(0)) != 0 || ZeroPointOf(ctx.input(1)) != 0 ||
       ZeroPointOf(ctx.output(0)) != 0)) {
    return ctx.Fail("int16 activations must be symmetric");
  }
  if (!ValidMultiplier(o->output_multiplier(), o->output_shift(), -31, 30)) {
    return ctx.Fail("mul multiplier or shift out of range", o->output_shift());
  }
  return Status::kOk;
}

void EvalMul(const OpContext& ctx) {
  reference::Broadcast b;
  (void)reference::MakeBroadcast(ShapeOf(ctx.input(0)), ShapeOf(ctx.input(1)),
                                 ShapeOf(ctx.output(0)), &b);
  const auto* o = ctx.op->options_as_MulOptions();
  const schema::ActivationRange& act = *o->activation();
  const reference::QuantizedMulParams p = {-ZeroPointOf(ctx.input(0)),
                                           -ZeroPointOf(ctx.input(1)),
                                           ZeroPointOf(ctx.output(0)),
                                           o->output_multiplier(),
                                           o->output_shift(),
                                           act.min(),
                                           act.max()};
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      kernels::MulInt8(b, p, ctx.input_data<int8_t>(0), ctx.input_data<int8_t>(1),
                       ctx.output_data<int8_t>(0));
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      kernels::MulInt16(b, p, ctx.input_data<int16_t>(0), ctx.input_data<int16_t>(1),
                        ctx.output_data<int16_t>(0));
      break;
    default:
      if (!kFloat32Kernels) break;
      kernels::MulFloat(b, act.fmin(), act.fmax(), ctx.input_data<float>(0),
                        ctx.input_data<float>(1), ctx.output_data<float>(0));
      break;
  }
}

}  // namespace mote::internal
