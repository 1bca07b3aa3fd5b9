// DepthwiseConv2D: inputs (input NHWC, weights [1, kh, kw, in_c *
// depth_multiplier], optional bias [out_c]); output NHWC.
#include "kernels/ops/ops.h"
#include "kernels/ops/weight_checks.h"
#include "kernels/ops/window_checks.h"
#include "kernels/paths.h"
#include "kernels/reference/depthwise_conv.h"
#include "kernels/selected.h"

namespace mote::internal {
namespace {

WindowOptions WindowOf(const OpContext& ctx) {
  const auto w = ShapeOf(ctx.input(1));
  return WindowFromOptions(*ctx.op->options_as_DepthwiseConv2DOptions(), w[1], w[2]);
}

}  // namespace

Status CheckDepthwiseConv2D(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 2, 3, 1));
  const auto* opts = ctx.op->options_as_DepthwiseConv2DOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& weights = ctx.input(1);
  const schema::Tensor& output = ctx.output(0);
  MOTE_TRY(ExpectKernelType(ctx, input));
  MOTE_TRY(ExpectSameType(ctx, input, output));
  const ElementType type = TypeOf(input);
  MOTE_TRY(CheckWeights(ctx, weights, 4, type));
  MOTE_TRY(CheckWindow(ctx, input, output, WindowOf(ctx)));
  const auto in = ShapeOf(input);
  const auto w = ShapeOf(weights);
  const auto out = ShapeOf(output);
  const int64_t multiplier = opts->depth_multiplier();
  if (w[0] != 1) return ctx.Fail("depthwise weights must be [1, kh, kw, out_c]", w[0]);
  if (multiplier < 1 || static_cast<int64_t>(in[3]) * multiplier != w[3] || w[3] != out[3]) {
    return ctx.Fail("output channels must be input channels * depth multiplier", out[3],
                    static_cast<int64_t>(in[3]) * multiplier);
  }
  const int64_t depth = static_cast<int64_t>(w[1]) * w[2];
  MOTE_TRY(CheckBiasAndAccumulator(ctx, type, static_cast<size_t>(w[3]), depth));
  MOTE_TRY(CheckActivationRange(ctx, opts->activation(), output));
  if (type == ElementType::kFloat32) return Status::kOk;
  MOTE_TRY(CheckPerChannelQuant(ctx, opts->output_multiplier(), opts->output_shift(),
                                static_cast<size_t>(w[3])));
  return CheckKernelPaths(ctx, DspPathsDepthwiseConv2D, kernel_paths::kDepthwiseReference);
}

namespace {

// int16 zero points are 0 (checked), so the same offsets serve both types.
inline reference::PerChannelParams ParamsOf(const OpContext& ctx,
                                            const schema::DepthwiseConv2DOptions* opts,
                                            const reference::Window2D& w) {
  const schema::ActivationRange& act = *opts->activation();
  const size_t channels = static_cast<size_t>(w.out_c);
  return {-ZeroPointOf(ctx.input(0)),
          ZeroPointOf(ctx.output(0)),
          {opts->output_multiplier()->data(), channels},
          {opts->output_shift()->data(), channels},
          act.min(),
          act.max()};
}

}  // namespace

void EvalDepthwiseConv2D(const OpContext& ctx) {
  const auto* opts = ctx.op->options_as_DepthwiseConv2DOptions();
  const reference::Window2D w = MakeWindow(ctx.input(0), ctx.output(0), WindowOf(ctx));
  const schema::ActivationRange& act = *opts->activation();
  const bool has_bias = ctx.has_input(2);
  const int32_t multiplier = opts->depth_multiplier();
  const ElementType type = TypeOf(ctx.input(0));
  if (kFloat32Kernels && type == ElementType::kFloat32) {
    kernels::DepthwiseConv2DFloat(
        w, multiplier, act.fmin(), act.fmax(), ctx.input_data<float>(0), ctx.input_data<float>(1),
        has_bias ? ctx.input_data<float>(2) : nullptr, ctx.output_data<float>(0));
    return;
  }
  const reference::PerChannelParams p = ParamsOf(ctx, opts, w);
  if (kInt8Kernels && type == ElementType::kInt8) {
    kernels::DepthwiseConv2DInt8(
        w, multiplier, p, ctx.input_data<int8_t>(0), ctx.input_data<int8_t>(1),
        has_bias ? ctx.input_data<int32_t>(2) : nullptr, ctx.output_data<int8_t>(0));
  } else if (kInt16Kernels && type == ElementType::kInt16) {
    kernels::DepthwiseConv2DInt16(
        w, multiplier, p, ctx.input_data<int16_t>(0), ctx.input_data<int8_t>(1),
        has_bias ? ctx.input_data<int64_t>(2) : nullptr, ctx.output_data<int16_t>(0));
  }
}

uint32_t DspPathsDepthwiseConv2D(const OpContext& ctx) {
  if (TypeOf(ctx.input(0)) != ElementType::kInt8) return 0;
  const reference::Window2D w = MakeWindow(ctx.input(0), ctx.output(0), WindowOf(ctx));
  const auto* opts = ctx.op->options_as_DepthwiseConv2DOptions();
  return kernel_paths::DspDepthwiseInt8(w, opts->depth_multiplier(), ParamsOf(ctx, opts, w),
                                        ctx.has_input(2) ? ctx.input_data<int32_t>(2) : nullptr);
}

}  // namespace mote::internal
