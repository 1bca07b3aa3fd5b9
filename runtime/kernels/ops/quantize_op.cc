// Quantize (float -> int, or int -> int requantization) and Dequantize.
#include "kernels/ops/ops.h"
#include "kernels/reference/elementwise.h"

namespace mote::internal {
namespace {

bool IsQuantizedType(ElementType t) { return t == ElementType::kInt8 || t == ElementType::kInt16; }

template <typename In>
void RequantizeFrom(const OpContext& ctx, int32_t multiplier, int shift) {
  const schema::Tensor& out = ctx.output(0);
  const int32_t zp_in = ZeroPointOf(ctx.input(0));
  const int32_t zp_out = ZeroPointOf(out);
  const ElementType t = TypeOf(out);
  if (t == ElementType::kInt8) {
    reference::Requantize<In, int8_t>(ctx.input_span<In>(0), zp_in, multiplier, shift, zp_out,
                                      TypeMin(t), TypeMax(t), ctx.output_span<int8_t>(0));
  } else {
    reference::Requantize<In, int16_t>(ctx.input_span<In>(0), zp_in, multiplier, shift, zp_out,
                                       TypeMin(t), TypeMax(t), ctx.output_span<int16_t>(0));
  }
}

}  // namespace

Status CheckQuantize(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  if (ctx.op->options_as_QuantizeOptions() == nullptr) return ctx.Fail("options table missing");
  MOTE_TRY(ExpectSameShape(ctx, ctx.input(0), ctx.output(0)));
  const ElementType in = TypeOf(ctx.input(0));
  const ElementType out = TypeOf(ctx.output(0));
  if (in == ElementType::kFloat32 && out == ElementType::kInt32) {  // the per-feature grid of tree inputs
    const schema::QuantParams* q = ctx.output(0).quant();
    const auto shape = ShapeOf(ctx.output(0));
    const size_t features = shape.empty() ? 1 : static_cast<size_t>(shape.back());
    if (q == nullptr || q->scale() == nullptr ||
        (q->scale()->size() != 1 && (q->axis() != static_cast<int>(shape.size()) - 1 || q->scale()->size() != features))) {
      return ctx.Fail("int32 grid needs one scale, or one per feature on the last axis");
    }
    for (int32_t zp : *q->zero_point()) {
      if (zp != 0) return ctx.Fail("int32 grid must have zero point 0", zp);
    }
    return Status::kOk;
  }
  if (!IsQuantizedType(out) || !(in == ElementType::kFloat32 || IsQuantizedType(in))) {
    return ctx.Fail("quantize needs float32/int8/int16 in and int8/int16 out");
  }
  if (!(ScaleOf(ctx.output(0)) > 0.0f)) return ctx.Fail("quantize output has no scale");
  const auto* opts = ctx.op->options_as_QuantizeOptions();
  if (in != ElementType::kFloat32 && !ValidMultiplier(opts->multiplier(), opts->shift(), -31, 30)) {
    return ctx.Fail("requantize multiplier or shift out of range", opts->shift());
  }
  return Status::kOk;
}

void EvalQuantize(const OpContext& ctx) {
  const schema::Tensor& out = ctx.output(0);
  const ElementType in_type = TypeOf(ctx.input(0));
  const ElementType out_type = TypeOf(out);
  if (in_type == ElementType::kFloat32 && out_type == ElementType::kInt32) {
    const auto* scales = out.quant()->scale();
    const size_t per = scales->size() == 1 ? 1 : scales->size();
    reference::QuantizeToFeatureGrid(ctx.input_span<float>(0), scales->data(), per, ctx.output_span<int32_t>(0));
    return;
  }
  if (in_type == ElementType::kFloat32) {
    const float scale = ScaleOf(out);
    const int32_t zp = ZeroPointOf(out);
    if (out_type == ElementType::kInt8) {
      reference::QuantizeFloat<int8_t>(ctx.input_span<float>(0), scale, zp, TypeMin(out_type),
                                       TypeMax(out_type), ctx.output_span<int8_t>(0));
    } else {
      reference::QuantizeFloat<int16_t>(ctx.input_span<float>(0), scale, zp, TypeMin(out_type),
                                        TypeMax(out_type), ctx.output_span<int16_t>(0));
    }
    return;
  }
  const auto* opts = ctx.op->options_as_QuantizeOptions();
  if (in_type == ElementType::kInt8) {
    RequantizeFrom<int8_t>(ctx, opts->multiplier(), opts->shift());
  } else {
    RequantizeFrom<int16_t>(ctx, opts->multiplier(), opts->shift());
  }
}

Status CheckDequantize(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  MOTE_TRY(ExpectSameShape(ctx, ctx.input(0), ctx.output(0)));
  if (!IsQuantizedType(TypeOf(ctx.input(0))) || TypeOf(ctx.output(0)) != ElementType::kFloat32) {
    return ctx.Fail("dequantize needs int8/int16 in and float32 out");
  }
  return Status::kOk;
}

void EvalDequantize(const OpContext& ctx) {
  const schema::Tensor& in = ctx.input(0);
  if (TypeOf(in) == ElementType::kInt8) {
    reference::DequantizeToFloat<int8_t>(ctx.input_span<int8_t>(0), ScaleOf(in), ZeroPointOf(in),
                                         ctx.output_span<float>(0));
  } else {
    reference::DequantizeToFloat<int16_t>(ctx.input_span<int16_t>(0), ScaleOf(in),
                                          ZeroPointOf(in), ctx.output_span<float>(0));
  }
}

}  // namespace mote::internal
