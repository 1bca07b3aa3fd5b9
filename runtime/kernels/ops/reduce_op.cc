// Reduce: one input [..., D] (trailing axes from `axis`), output of
// NumElements(input) / D elements.
#include "kernels/ops/ops.h"
#include "kernels/reference/reduce.h"

namespace mote::internal {
namespace {

using reference::ReduceFunction;

struct Rows {
  size_t rows;
  size_t depth;  // 0: axis out of range
};

Rows RowsOf(const OpContext& ctx) {
  const auto shape = ShapeOf(ctx.input(0));
  const int32_t axis = ctx.op->options_as_ReduceOptions()->axis();
  if (axis < 0 || static_cast<size_t>(axis) >= shape.size()) return {0, 0};
  size_t depth = 1;
  for (size_t k = static_cast<size_t>(axis); k < shape.size(); ++k) {
    depth *= static_cast<size_t>(shape[k]);
  }
  return {depth == 0 ? 0 : NumElements(ctx.input(0)) / depth, depth};
}

}  // namespace

Status CheckReduce(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* o = ctx.op->options_as_ReduceOptions();
  if (o == nullptr) return ctx.Fail("options table missing");
  MOTE_TRY(ExpectKernelType(ctx, ctx.input(0)));
  MOTE_TRY(ExpectSameType(ctx, ctx.input(0), ctx.output(0)));
  const int8_t f = static_cast<int8_t>(o->function());
  if (f < 0 || f > static_cast<int8_t>(ReduceFunction::kLogSumExp)) {
    return ctx.Fail("unknown reduce function", f);
  }
  const Rows r = RowsOf(ctx);
  if (r.depth == 0 || NumElements(ctx.output(0)) != r.rows) {
    return ctx.Fail("reduce axis out of range or output size wrong",
                    static_cast<int64_t>(NumElements(ctx.output(0))), static_cast<int64_t>(r.rows));
  }
  const ElementType type = TypeOf(ctx.input(0));
  if (type == ElementType::kFloat32) return Status::kOk;
  if (!reference::ReduceIsLinear(static_cast<ReduceFunction>(f))) {
    return ctx.Fail("this reduce function has no integer kernel", f);
  }
  const size_t limit =
      type == ElementType::kInt8 ? reference::kMaxReduceDepthInt8 : reference::kMaxReduceDepthInt16;
  if (r.depth > limit) {
    return ctx.Fail("reduce row too long", static_cast<int64_t>(r.depth),
                    static_cast<int64_t>(limit));
  }
  if (!ValidMultiplier(o->multiplier(), o->shift(), -31, 30)) {
    return ctx.Fail("reduce multiplier or shift out of range", o->shift());
  }
  return Status::kOk;
}

void EvalReduce(const OpContext& ctx) {
  const Rows r = RowsOf(ctx);
  const auto* o = ctx.op->options_as_ReduceOptions();
  const auto f = static_cast<ReduceFunction>(o->function());
  const reference::QuantizedReduceParams p = {
      -ZeroPointOf(ctx.input(0)), ZeroPointOf(ctx.output(0)), o->multiplier(), o->shift()};
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      reference::ReduceInt8(f, r.rows, r.depth, p, ctx.input_data<int8_t>(0),
                            ctx.output_data<int8_t>(0));
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      reference::ReduceInt16(f, r.rows, r.depth, p, ctx.input_data<int16_t>(0),
                             ctx.output_data<int16_t>(0));
      break;
    default:
      if (!kFloat32Kernels) break;
      reference::ReduceFloat(f, r.rows, r.depth, ctx.input_data<float>(0),
                             ctx.output_data<float>(0));
      break;
  }
}

}  // namespace mote::internal
