// Compare: comparisons and logical functions with broadcasting; the output
// (1 / 0) is in the inputs' activation type (kernels/reference/compare.h).
#include "kernels/ops/ops.h"
#include "kernels/reference/compare.h"

namespace mote::internal {
namespace {

using reference::CompareFunction;

static_assert(static_cast<int>(CompareFunction::kLast) ==
                  static_cast<int>(schema::CompareFunction::MAX),
              "kernels/reference/compare.h and mote.fbs disagree on the compare functions");

reference::QuantizedCompareParams ParamsOf(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_CompareOptions();
  return {-ZeroPointOf(ctx.input(0)), -ZeroPointOf(ctx.input(1)), o->left_shift(),
          o->input1_multiplier(),     o->input1_shift(),          o->input2_multiplier(),
          o->input2_shift()};
}

}  // namespace

Status CheckCompare(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 2, 2, 1));
  const auto* o = ctx.op->options_as_CompareOptions();
  if (o == nullptr) return ctx.Fail("options table missing");
  if (static_cast<int>(o->function()) > static_cast<int>(CompareFunction::kLast)) {
    return ctx.Fail("unknown compare function", static_cast<int64_t>(o->function()),
                    static_cast<int64_t>(CompareFunction::kLast));
  }
  MOTE_TRY(ExpectKernelType(ctx, ctx.input(0)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.input(1)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.output(0)));
  reference::Broadcast b;
  if (!reference::MakeBroadcast(ShapeOf(ctx.input(0)), ShapeOf(ctx.input(1)),
                                ShapeOf(ctx.output(0)), &b)) {
    return ctx.Fail("input shapes do not broadcast to the output shape");
  }
  const ElementType type = TypeOf(ctx.input(0));
  if (type == ElementType::kFloat32) return Status::kOk;
  if (ZeroPointOf(ctx.output(0)) != 0) return ctx.Fail("a boolean output needs zero point 0");
  // Keeps (q - zp) << left_shift inside int32.
  const int max_left_shift = type == ElementType::kInt8 ? 22 : 15;
  if (o->left_shift() < 0 || o->left_shift() > max_left_shift) {
    return ctx.Fail("compare left shift out of range", o->left_shift(), max_left_shift);
  }
  if (!ValidMultiplier(o->input1_multiplier(), o->input1_shift(), -31, 30) ||
      !ValidMultiplier(o->input2_multiplier(), o->input2_shift(), -31, 30)) {
    return ctx.Fail("compare multiplier or shift out of range");
  }
  return Status::kOk;
}

void EvalCompare(const OpContext& ctx) {
  reference::Broadcast b;
  (void)reference::MakeBroadcast(ShapeOf(ctx.input(0)), ShapeOf(ctx.input(1)),
                                 ShapeOf(ctx.output(0)), &b);
  const auto f = static_cast<CompareFunction>(ctx.op->options_as_CompareOptions()->function());
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      reference::CompareInt8(f, b, ParamsOf(ctx), ctx.input_data<int8_t>(0),
                             ctx.input_data<int8_t>(1), ctx.output_data<int8_t>(0));
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      reference::CompareInt16(f, b, ParamsOf(ctx), ctx.input_data<int16_t>(0),
                              ctx.input_data<int16_t>(1), ctx.output_data<int16_t>(0));
      break;
    default:
      if (!kFloat32Kernels) break;
      reference::CompareFloat(f, b, ctx.input_data<float>(0), ctx.input_data<float>(1),
                              ctx.output_data<float>(0));
      break;
  }
}

}  // namespace mote::internal
