// CumSum: running sums along one axis (kernels/reference/cumsum.h).
#include "kernels/ops/ops.h"
#include "kernels/reference/cumsum.h"

namespace mote::internal {
namespace {

reference::CumSumShape ShapeFor(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_CumSumOptions();
  const auto dims = ShapeOf(ctx.input(0));
  const size_t axis = static_cast<size_t>(o->axis());
  reference::CumSumShape s;
  s.outer = 1;
  s.inner = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    const size_t n = static_cast<size_t>(dims[d]);
    if (d < axis) s.outer *= n;
    if (d > axis) s.inner *= n;
  }
  s.length = static_cast<size_t>(dims[axis]);
  s.exclusive = o->exclusive();
  s.reverse = o->reverse();
  return s;
}

}  // namespace

Status CheckCumSum(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* o = ctx.op->options_as_CumSumOptions();
  if (o == nullptr) return ctx.Fail("options table missing");
  MOTE_TRY(ExpectKernelType(ctx, ctx.input(0)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.output(0)));
  MOTE_TRY(ExpectSameShape(ctx, ctx.input(0), ctx.output(0)));
  const auto dims = ShapeOf(ctx.input(0));
  if (o->axis() < 0 || static_cast<size_t>(o->axis()) >= dims.size()) {
    return ctx.Fail("cumsum axis out of range", o->axis(), static_cast<int64_t>(dims.size()));
  }
  const ElementType type = TypeOf(ctx.input(0));
  if (type == ElementType::kFloat32) return Status::kOk;
  // The int32 sum of `length` codes minus their zero point cannot overflow.
  const int64_t length = dims[static_cast<size_t>(o->axis())];
  const int64_t max_term = type == ElementType::kInt8 ? 255 : 65535;
  if (length * max_term > INT32_MAX) {
    return ctx.Fail("cumsum axis too long for int32 sums", length, INT32_MAX / max_term);
  }
  if (!ValidMultiplier(o->multiplier(), o->shift(), -31, 30)) {
    return ctx.Fail("cumsum multiplier or shift out of range");
  }
  return Status::kOk;
}

void EvalCumSum(const OpContext& ctx) {
  const reference::CumSumShape s = ShapeFor(ctx);
  const auto* o = ctx.op->options_as_CumSumOptions();
  const reference::QuantizedCumSumParams p = {ZeroPointOf(ctx.input(0)), ZeroPointOf(ctx.output(0)),
                                              o->multiplier(), o->shift()};
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      reference::CumSumInt8(s, p, ctx.input_data<int8_t>(0), ctx.output_data<int8_t>(0));
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      reference::CumSumInt16(s, p, ctx.input_data<int16_t>(0), ctx.output_data<int16_t>(0));
      break;
    default:
      if (!kFloat32Kernels) break;
      reference::CumSumFloat(s, ctx.input_data<float>(0), ctx.output_data<float>(0));
      break;
  }
}

}  // namespace mote::internal
