// Add with broadcasting; each input and the output have their own scale.
#include "kernels/ops/ops.h"
#include "kernels/reference/add.h"
#include "kernels/selected.h"

namespace mote::internal {
namespace {

reference::QuantizedAddParams ParamsOf(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_AddOptions();
  return {-ZeroPointOf(ctx.input(0)), -ZeroPointOf(ctx.input(1)), ZeroPointOf(ctx.output(0)),
          o->left_shift(), o->input1_multiplier(), o->input1_shift(), o->input2_multiplier(),
          o->input2_shift(), o->output_multiplier(), o->output_shift(), o->activation()->min(),
          o->activation()->max()};
}

}  // namespace

Status CheckAdd(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 2, 2, 1));
  if (ctx.op->options_as_AddOptions() == nullptr) return ctx.Fail("options table missing");
  MOTE_TRY(ExpectKernelType(ctx, ctx.input(0)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.input(1)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.output(0)));
  reference::Broadcast b;
  if (!reference::MakeBroadcast(ShapeOf(ctx.input(0)), ShapeOf(ctx.input(1)),
                                ShapeOf(ctx.output(0)), &b)) {
    return ctx.Fail("input shapes do not broadcast to the output shape");
  }
  const auto* o = ctx.op->options_as_AddOptions();
  MOTE_TRY(CheckActivationRange(ctx, o->activation(), ctx.output(0)));
  const ElementType type = TypeOf(ctx.input(0));
  if (type == ElementType::kFloat32) return Status::kOk;
  // Keeps (q - zp) << left_shift inside int32.
  const int max_left_shift = type == ElementType::kInt8 ? 22 : 15;
  if (o->left_shift() < 0 || o->left_shift() > max_left_shift) {
    return ctx.Fail("add left shift out of range", o->left_shift(), max_left_shift);
  }
  if (type == ElementType::kInt16 && (ZeroPointOf(ctx.input(0)) != 0 ||
                                      ZeroPointOf(ctx.input(1)) != 0 ||
                                      ZeroPointOf(ctx.output(0)) != 0)) {
    return ctx.Fail("int16 activations must be symmetric");
  }
  if (!ValidMultiplier(o->input1_multiplier(), o->input1_shift(), -31, 30) ||
      !ValidMultiplier(o->input2_multiplier(), o->input2_shift(), -31, 30) ||
      !ValidMultiplier(o->output_multiplier(), o->output_shift(), -31, 30)) {
    return ctx.Fail("add multiplier or shift out of range");
  }
  return Status::kOk;
}

void EvalAdd(const OpContext& ctx) {
  reference::Broadcast b;
  (void)reference::MakeBroadcast(ShapeOf(ctx.input(0)), ShapeOf(ctx.input(1)),
                                 ShapeOf(ctx.output(0)), &b);
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      kernels::AddInt8(b, ParamsOf(ctx), ctx.input_data<int8_t>(0), ctx.input_data<int8_t>(1),
                       ctx.output_data<int8_t>(0));
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      kernels::AddInt16(b, ParamsOf(ctx), ctx.input_data<int16_t>(0),
                        ctx.input_data<int16_t>(1), ctx.output_data<int16_t>(0));
      break;
    default: {
      if (!kFloat32Kernels) break;
      const auto* act = ctx.op->options_as_AddOptions()->activation();
      kernels::AddFloat(b, act->fmin(), act->fmax(), ctx.input_data<float>(0),
                        ctx.input_data<float>(1), ctx.output_data<float>(0));
      break;
    }
  }
}

}  // namespace mote::internal
