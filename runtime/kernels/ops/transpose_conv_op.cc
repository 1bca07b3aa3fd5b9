// TransposeConv2D: inputs (input NHWC, weights [out_c, kh, kw, in_c / groups],
// optional bias [out_c]); output NHWC.
#include "kernels/ops/ops.h"
#include "kernels/ops/weight_checks.h"
#include "kernels/reference/transpose_conv.h"

namespace mote::internal {
namespace {

// One axis: output size = (in - 1) * stride + extent - pad_lead - trail, with
// ONNX's output_padding (< max(stride, dilation)) making `trail` negative.
// Bounding every size by int32 also bounds every coordinate the kernel steps.
Status CheckAxis(const OpContext& ctx, int64_t in, int64_t filter, int64_t stride, int64_t dilation,
                 int64_t lead, int64_t out) {
  if (filter < 1 || stride < 1 || dilation < 1) {
    return ctx.Fail("filter size, stride and dilation must be positive", filter, stride);
  }
  if (lead < 0) return ctx.Fail("padding must not be negative", lead);
  const int64_t extent = (filter - 1) * dilation + 1;  // < 2^62: all factors < 2^31
  const int64_t span = (in - 1) * stride + extent;     // in, stride < 2^31: < 2^63
  const int64_t slack = stride > dilation ? stride : dilation;
  if (span + slack > INT32_MAX || lead >= span) {
    return ctx.Fail("transposed window too large for its padding", span, INT32_MAX);
  }
  const int64_t trail = span - lead - out;
  if (trail <= -slack) {
    return ctx.Fail("output size inconsistent with input, filter, stride, dilation and padding",
                    out, span - lead + slack - 1);
  }
  return Status::kOk;
}

reference::Window2D WindowOf(const OpContext& ctx) {
  const auto* o = ctx.op->options_as_TransposeConv2DOptions();
  const auto in = ShapeOf(ctx.input(0));
  const auto w = ShapeOf(ctx.input(1));
  const auto out = ShapeOf(ctx.output(0));
  return {.batches = in[0],
          .in_h = in[1],
          .in_w = in[2],
          .in_c = in[3],
          .out_h = out[1],
          .out_w = out[2],
          .out_c = out[3],
          .filter_h = w[1],
          .filter_w = w[2],
          .stride_h = o->stride_h(),
          .stride_w = o->stride_w(),
          .dilation_h = o->dilation_h(),
          .dilation_w = o->dilation_w(),
          .pad_top = o->pad_top(),
          .pad_left = o->pad_left()};
}

}  // namespace

Status CheckTransposeConv2D(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 2, 3, 1));
  const auto* opts = ctx.op->options_as_TransposeConv2DOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& weights = ctx.input(1);
  const schema::Tensor& output = ctx.output(0);
  MOTE_TRY(ExpectKernelType(ctx, input));
  MOTE_TRY(ExpectSameType(ctx, input, output));
  const ElementType type = TypeOf(input);
  MOTE_TRY(CheckWeights(ctx, weights, 4, type));
  const auto in = ShapeOf(input);
  const auto w = ShapeOf(weights);
  const auto out = ShapeOf(output);
  if (in.size() != 4 || out.size() != 4) {
    return ctx.Fail("input and output must be NHWC (rank 4)", static_cast<int64_t>(in.size()),
                    static_cast<int64_t>(out.size()));
  }
  if (in[0] != out[0]) return ctx.Fail("input and output batch differ", in[0], out[0]);
  MOTE_TRY(
      CheckAxis(ctx, in[1], w[1], opts->stride_h(), opts->dilation_h(), opts->pad_top(), out[1]));
  MOTE_TRY(
      CheckAxis(ctx, in[2], w[2], opts->stride_w(), opts->dilation_w(), opts->pad_left(), out[2]));
  const int64_t groups = opts->groups();
  if (groups < 1 || static_cast<int64_t>(w[3]) * groups != in[3] || w[0] % groups != 0) {
    return ctx.Fail("groups must divide the input and output channels", groups, in[3]);
  }
  if (w[0] != out[3]) return ctx.Fail("weights and output channels differ", w[0], out[3]);
  // At most every tap of the filter reaches an output.
  const int64_t depth = static_cast<int64_t>(w[1]) * w[2] * w[3];
  MOTE_TRY(CheckBiasAndAccumulator(ctx, type, static_cast<size_t>(w[0]), depth));
  MOTE_TRY(CheckActivationRange(ctx, opts->activation(), output));
  if (type == ElementType::kFloat32) return Status::kOk;
  return CheckPerChannelQuant(ctx, opts->output_multiplier(), opts->output_shift(),
                              static_cast<size_t>(w[0]));
}

void EvalTransposeConv2D(const OpContext& ctx) {
  const auto* opts = ctx.op->options_as_TransposeConv2DOptions();
  const reference::Window2D w = WindowOf(ctx);
  const schema::ActivationRange& act = *opts->activation();
  const bool has_bias = ctx.has_input(2);
  const ElementType type = TypeOf(ctx.input(0));
  if (kFloat32Kernels && type == ElementType::kFloat32) {
    reference::TransposeConv2DFloat(w, opts->groups(), act.fmin(), act.fmax(),
                                    ctx.input_data<float>(0), ctx.input_data<float>(1),
                                    has_bias ? ctx.input_data<float>(2) : nullptr,
                                    ctx.output_data<float>(0));
    return;
  }
  // int16 zero points are 0 (checked), so the same offsets serve both types.
  const size_t channels = static_cast<size_t>(w.out_c);
  const reference::PerChannelParams p = {-ZeroPointOf(ctx.input(0)),
                                         ZeroPointOf(ctx.output(0)),
                                         {opts->output_multiplier()->data(), channels},
                                         {opts->output_shift()->data(), channels},
                                         act.min(),
                                         act.max()};
  if (kInt8Kernels && type == ElementType::kInt8) {
    reference::TransposeConv2DInt8(
        w, opts->groups(), p, ctx.input_data<int8_t>(0), ctx.input_data<int8_t>(1),
        has_bias ? ctx.input_data<int32_t>(2) : nullptr, ctx.output_data<int8_t>(0));
  } else if (kInt16Kernels && type == ElementType::kInt16) {
    reference::TransposeConv2DInt16(
        w, opts->groups(), p, ctx.input_data<int16_t>(0), ctx.input_data<int8_t>(1),
        has_bias ? ctx.input_data<int64_t>(2) : nullptr, ctx.output_data<int16_t>(0));
  }
}

}  // namespace mote::internal
