// Where: cond ? x : y with broadcasting over all three inputs, each branch
// requantized to the output (kernels/reference/where.h).
#include "kernels/ops/ops.h"
#include "kernels/reference/where.h"

namespace mote::internal {
namespace {

reference::QuantizedWhereParams ParamsOf(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_WhereOptions();
  return {ZeroPointOf(ctx.input(0)), ZeroPointOf(ctx.input(1)),
          ZeroPointOf(ctx.input(2)), ZeroPointOf(ctx.output(0)),
          o->x_multiplier(),         o->x_shift(),
          o->y_multiplier(),         o->y_shift()};
}

bool ShapeFor(const OpContext& ctx, reference::WhereShape* s) {
  return reference::MakeWhereShape(ShapeOf(ctx.input(0)), ShapeOf(ctx.input(1)),
                                   ShapeOf(ctx.input(2)), ShapeOf(ctx.output(0)), s);
}

bool ValidBranch(int32_t multiplier, int shift) {
  return multiplier == 0 ? shift == 0 : ValidMultiplier(multiplier, shift, -31, 30);
}

}  // namespace

Status CheckWhere(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 3, 3, 1));
  const auto* o = ctx.op->options_as_WhereOptions();
  if (o == nullptr) return ctx.Fail("options table missing");
  MOTE_TRY(ExpectKernelType(ctx, ctx.output(0)));
  for (size_t k = 0; k < 3; ++k) MOTE_TRY(ExpectSameType(ctx, ctx.input(k), ctx.output(0)));
  reference::WhereShape s;
  if (!ShapeFor(ctx, &s)) return ctx.Fail("input shapes do not broadcast to the output shape");
  if (TypeOf(ctx.output(0)) == ElementType::kFloat32) return Status::kOk;
  if (!ValidBranch(o->x_multiplier(), o->x_shift()) ||
      !ValidBranch(o->y_multiplier(), o->y_shift())) {
    return ctx.Fail("where multiplier or shift out of range");
  }
  // A branch copied as is must already have the output's parameters.
  if (o->x_multiplier() == 0) MOTE_TRY(ExpectSameQuant(ctx, ctx.input(1), ctx.output(0)));
  if (o->y_multiplier() == 0) MOTE_TRY(ExpectSameQuant(ctx, ctx.input(2), ctx.output(0)));
  return Status::kOk;
}

void EvalWhere(const OpContext& ctx) {
  reference::WhereShape s;
  (void)ShapeFor(ctx, &s);
  switch (TypeOf(ctx.output(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      reference::WhereInt8(s, ParamsOf(ctx), ctx.input_data<int8_t>(0), ctx.input_data<int8_t>(1),
                           ctx.input_data<int8_t>(2), ctx.output_data<int8_t>(0));
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      reference::WhereInt16(s, ParamsOf(ctx), ctx.input_data<int16_t>(0),
                            ctx.input_data<int16_t>(1), ctx.input_data<int16_t>(2),
                            ctx.output_data<int16_t>(0));
      break;
    default:
      if (!kFloat32Kernels) break;
      reference::WhereFloat(s, ctx.input_data<float>(0), ctx.input_data<float>(1),
                            ctx.input_data<float>(2), ctx.output_data<float>(0));
      break;
  }
}

}  // namespace mote::internal
