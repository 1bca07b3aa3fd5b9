// Mean over H and W of an NHWC input; output [N, 1, 1, C] or [N, C].
#include "kernels/ops/ops.h"
#include "kernels/reference/mean.h"

namespace mote::internal {
namespace {

reference::MeanShape ShapeFor(const schema::Tensor& input) {
  const auto in = ShapeOf(input);
  return {in[0], in[1] * in[2], in[3]};
}

bool OutputShapeOk(std::span<const int32_t> in, std::span<const int32_t> out) {
  if (out.size() == 4) return out[0] == in[0] && out[1] == 1 && out[2] == 1 && out[3] == in[3];
  return out.size() == 2 && out[0] == in[0] && out[1] == in[3];
}

}  // namespace

Status CheckMean(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 1, 1, 1));
  const auto* opts = ctx.op->options_as_MeanOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& output = ctx.output(0);
  MOTE_TRY(ExpectKernelType(ctx, input));
  MOTE_TRY(ExpectSameType(ctx, input, output));
  const auto in = ShapeOf(input);
  if (in.size() != 4)
    return ctx.Fail("mean input must be NHWC (rank 4)", static_cast<int64_t>(in.size()));
  if (!OutputShapeOk(in, ShapeOf(output))) {
    return ctx.Fail("mean output must be [N, 1, 1, C] or [N, C]");
  }
  const ElementType type = TypeOf(input);
  if (type == ElementType::kFloat32) return Status::kOk;
  if (!ValidMultiplier(opts->multiplier(), opts->shift(), -31, 30)) {
    return ctx.Fail("mean multiplier or shift out of range", opts->shift());
  }
  if (type == ElementType::kInt16 && (ZeroPointOf(input) != 0 || ZeroPointOf(output) != 0)) {
    return ctx.Fail("int16 activations must be symmetric");
  }
  // The int32 sum of (q - zp) over H * W: at most 255 (int8) or 2^15 (int16) each.
  const int64_t worst =
      static_cast<int64_t>(in[1]) * in[2] * (type == ElementType::kInt8 ? 255 : 32768);
  if (worst > INT32_MAX) return ctx.Fail("mean sum could overflow", worst, INT32_MAX);
  return Status::kOk;
}

void EvalMean(const OpContext& ctx) {
  const reference::MeanShape shape = ShapeFor(ctx.input(0));
  const auto* opts = ctx.op->options_as_MeanOptions();
  const reference::QuantizedMeanParams p = {ZeroPointOf(ctx.input(0)), ZeroPointOf(ctx.output(0)),
                                            opts->multiplier(), opts->shift()};
  switch (TypeOf(ctx.input(0))) {
    case ElementType::kInt8:
      if (!kInt8Kernels) break;
      reference::MeanInt8(shape, p, ctx.input_data<int8_t>(0), ctx.output_data<int8_t>(0));
      break;
    case ElementType::kInt16:
      if (!kInt16Kernels) break;
      reference::MeanInt16(shape, p, ctx.input_data<int16_t>(0), ctx.output_data<int16_t>(0));
      break;
    default:
      if (!kFloat32Kernels) break;
      reference::MeanFloat(shape, ctx.input_data<float>(0), ctx.output_data<float>(0));
      break;
  }
}

}  // namespace mote::internal
