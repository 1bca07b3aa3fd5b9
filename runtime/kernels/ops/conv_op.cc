// Conv2D: inputs (input NHWC, weights [out_c, kh, kw, in_c / groups],
// optional bias [out_c]); output NHWC.
#include "kernels/ops/ops.h"
#include "kernels/ops/weight_checks.h"
#include "kernels/ops/window_checks.h"
#include "kernels/paths.h"
#include "kernels/reference/conv.h"
#include "kernels/reference/in_place.h"
#include "kernels/selected.h"

namespace mote::internal {
namespace {

WindowOptions WindowOf(const OpContext& ctx) {
  const auto w = ShapeOf(ctx.input(1));
  return WindowFromOptions(*ctx.op->options_as_Conv2DOptions(), w[1], w[2]);
}

// An output that overlaps the input must start far enough below it that no
// kernel overwrites input it has yet to read (kernels/reference/in_place.h).
Status CheckInPlace(const OpContext& ctx, const schema::Tensor& input, const schema::Tensor& output) {
  if (IsConstant(input)) return Status::kOk;
  const size_t in_elem = ElementSize(TypeOf(input));
  const size_t out_elem = ElementSize(TypeOf(output));
  const int64_t in_start = input.arena_offset();
  const int64_t out_start = output.arena_offset();
  const int64_t in_end = in_start + static_cast<int64_t>(NumElements(input) * in_elem);
  const int64_t out_end = out_start + static_cast<int64_t>(NumElements(output) * out_elem);
  if (out_end <= in_start || in_end <= out_start) return Status::kOk;
  const int64_t margin =
      reference::ConvInPlaceMargin(MakeWindow(input, output, WindowOf(ctx)), in_elem, out_elem);
  if (margin < 0 || in_start - out_start < margin) {
    return ctx.Fail("output overlaps input the kernel has yet to read", in_start - out_start,
                    margin);
  }
  return Status::kOk;
}

}  // namespace

Status CheckConv2D(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 2, 3, 1));
  const auto* opts = ctx.op->options_as_Conv2DOptions();
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
  const int64_t groups = opts->groups();
  if (groups < 1 || static_cast<int64_t>(w[3]) * groups != in[3] || w[0] % groups != 0) {
    return ctx.Fail("groups must divide the input and output channels", groups, in[3]);
  }
  if (w[0] != out[3]) return ctx.Fail("weights and output channels differ", w[0], out[3]);
  const int64_t depth = static_cast<int64_t>(w[1]) * w[2] * w[3];
  MOTE_TRY(CheckBiasAndAccumulator(ctx, type, static_cast<size_t>(w[0]), depth));
  MOTE_TRY(CheckActivationRange(ctx, opts->activation(), output));
  MOTE_TRY(CheckInPlace(ctx, input, output));
  MOTE_TRY(CheckEffectiveBias(ctx, opts->effective_bias(),
                              type == ElementType::kInt8 && groups == 1, static_cast<size_t>(w[0]),
                              static_cast<size_t>(depth), false));
  if (type == ElementType::kFloat32) return Status::kOk;
  MOTE_TRY(CheckPerChannelQuant(ctx, opts->output_multiplier(), opts->output_shift(),
                                static_cast<size_t>(w[0])));
  return CheckKernelPaths(ctx, DspPathsConv2D, kernel_paths::kConvReference);
}

void EvalConv2D(const OpContext& ctx) {
  const auto* opts = ctx.op->options_as_Conv2DOptions();
  const reference::Window2D w = MakeWindow(ctx.input(0), ctx.output(0), WindowOf(ctx));
  const schema::ActivationRange& act = *opts->activation();
  const bool has_bias = ctx.has_input(2);
  const ElementType type = TypeOf(ctx.input(0));
  if (kFloat32Kernels && type == ElementType::kFloat32) {
    kernels::Conv2DFloat(w, opts->groups(), act.fmin(), act.fmax(), ctx.input_data<float>(0),
                           ctx.input_data<float>(1), has_bias ? ctx.input_data<float>(2) : nullptr,
                           ctx.output_data<float>(0));
    return;
  }
  // int16 zero points are 0 (checked), so the same offsets serve both types.
  const size_t channels = static_cast<size_t>(w.out_c);
  const reference::PerChannelParams p = {
      -ZeroPointOf(ctx.input(0)),
      ZeroPointOf(ctx.output(0)),
      {opts->output_multiplier()->data(), channels},
      {opts->output_shift()->data(), channels},
      act.min(),
      act.max(),
      opts->effective_bias() != nullptr ? opts->effective_bias()->data() : nullptr};
  if (kInt8Kernels && type == ElementType::kInt8) {
    kernels::Conv2DInt8(w, opts->groups(), p, ctx.input_data<int8_t>(0), ctx.input_data<int8_t>(1),
                        has_bias ? ctx.input_data<int32_t>(2) : nullptr, ctx.output_data<int8_t>(0),
                        ctx.scratch());
  } else if (kInt16Kernels && type == ElementType::kInt16) {
    kernels::Conv2DInt16(w, opts->groups(), p, ctx.input_data<int16_t>(0),
                         ctx.input_data<int8_t>(1), has_bias ? ctx.input_data<int64_t>(2) : nullptr,
                         ctx.output_data<int16_t>(0), ctx.scratch());
  }
}

uint32_t DspPathsConv2D(const OpContext& ctx) {
  if (TypeOf(ctx.input(0)) != ElementType::kInt8) return 0;
  const reference::Window2D w = MakeWindow(ctx.input(0), ctx.output(0), WindowOf(ctx));
  return kernel_paths::DspConv2DInt8(w, ctx.op->options_as_Conv2DOptions()->groups(),
                                     ctx.op->scratch_size());
}

}  // namespace mote::internal
