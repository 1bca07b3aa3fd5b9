// LayerNorm: float32 inputs (x, gamma, optional beta); int8/int16 input (x)
// with every per-channel value in the options (mote.fbs LayerNormOptions).
#include "kernels/ops/ops.h"
#include "kernels/reference/layer_norm.h"

namespace mote::internal {
namespace {

struct Rows {
  size_t rows;
  size_t depth;
};

// Rows of the trailing axes from `axis`; depth 0 if the axis is out of range.
Rows RowsOf(const OpContext& ctx) {
  const auto shape = ShapeOf(ctx.input(0));
  const int32_t axis = ctx.op->options_as_LayerNormOptions()->axis();
  if (axis < 0 || static_cast<size_t>(axis) >= shape.size()) return {0, 0};
  size_t depth = 1;
  for (size_t k = static_cast<size_t>(axis); k < shape.size(); ++k) {
    depth *= static_cast<size_t>(shape[k]);
  }
  return {depth == 0 ? 0 : NumElements(ctx.input(0)) / depth, depth};
}

Status CheckFloatParams(const OpContext& ctx, size_t depth) {
  MOTE_TRY(ExpectCounts(ctx, 2, 3, 1));
  for (size_t k = 1; k < 3; ++k) {
    if (!ctx.has_input(k)) continue;
    const schema::Tensor& t = ctx.input(k);
    if (!IsConstant(t) || TypeOf(t) != ElementType::kFloat32 || NumElements(t) != depth) {
      return ctx.Fail("layer norm gamma and beta must be float32 constants of the row's size",
                      static_cast<int64_t>(k), static_cast<int64_t>(depth));
    }
  }
  return Status::kOk;
}

Status CheckQuantizedParams(const OpContext& ctx, size_t depth) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* o = ctx.op->options_as_LayerNormOptions();
  if (o->multiplier() == nullptr || o->shift() == nullptr || o->bias() == nullptr ||
      o->multiplier()->size() != depth || o->shift()->size() != depth ||
      o->bias()->size() != depth) {
    return ctx.Fail("layer norm needs a multiplier, shift and bias per channel",
                    static_cast<int64_t>(depth));
  }
  if (o->epsilon_q() < 1 || o->epsilon_q() > reference::kMaxLayerNormEpsilon) {
    return ctx.Fail("layer norm epsilon_q out of range", o->epsilon_q(),
                    reference::kMaxLayerNormEpsilon);
  }
  for (uint32_t c = 0; c < depth; ++c) {
    const int32_t m = o->multiplier()->Get(c);
    const int s = o->shift()->Get(c);
    if (m == INT32_MIN || s < -31 || s > 30) {
      return ctx.Fail("layer norm multiplier or shift out of range", static_cast<int64_t>(c), s);
    }
  }
  if (TypeOf(ctx.input(0)) == ElementType::kInt16 &&
      (ZeroPointOf(ctx.input(0)) != 0 || ZeroPointOf(ctx.output(0)) != 0)) {
    return ctx.Fail("int16 activations must be symmetric");
  }
  return Status::kOk;
}

}  // namespace

Status CheckLayerNorm(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 3, 1));
  if (ctx.op->options_as_LayerNormOptions() == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& in = ctx.input(0);
  MOTE_TRY(ExpectKernelType(ctx, in));
  MOTE_TRY(ExpectSameType(ctx, in, ctx.output(0)));
  MOTE_TRY(ExpectSameShape(ctx, in, ctx.output(0)));
  const Rows r = RowsOf(ctx);
  if (r.depth == 0 || r.depth > reference::kMaxLayerNormDepth) {
    return ctx.Fail("layer norm axis out of range or row too long", static_cast<int64_t>(r.depth),
                    static_cast<int64_t>(reference::kMaxLayerNormDepth));
  }
  if (TypeOf(in) == ElementType::kFloat32) return CheckFloatParams(ctx, r.depth);
  return CheckQuantizedParams(ctx, r.depth);
}

void EvalLayerNorm(const OpContext& ctx) {
  const Rows r = RowsOf(ctx);
  const auto* o = ctx.op->options_as_LayerNormOptions();
  const ElementType type = TypeOf(ctx.input(0));
  if (type == ElementType::kFloat32) {
    if (!kFloat32Kernels) return;
    reference::LayerNormFloat(r.rows, r.depth, o->epsilon(), ctx.input_data<float>(1),
                              ctx.has_input(2) ? ctx.input_data<float>(2) : nullptr,
                              ctx.input_data<float>(0), ctx.output_data<float>(0));
    return;
  }
  const reference::QuantizedLayerNormParams p = {
      -ZeroPointOf(ctx.input(0)), ZeroPointOf(ctx.output(0)), o->epsilon_q(),
      o->multiplier()->data(),    o->shift()->data(),         o->bias()->data()};
  if (kInt8Kernels && type == ElementType::kInt8) {
    reference::LayerNormInt8(r.rows, r.depth, p, ctx.input_data<int8_t>(0),
                             ctx.output_data<int8_t>(0));
  } else if (kInt16Kernels && type == ElementType::kInt16) {
    reference::LayerNormInt16(r.rows, r.depth, p, ctx.input_data<int16_t>(0),
                              ctx.output_data<int16_t>(0));
  }
}

}  // namespace mote::internal
