// FullyConnected: inputs (input, weights [units, depth], optional bias).
#include "kernels/ops/ops.h"
#include "kernels/ops/weight_checks.h"
#include "kernels/reference/fully_connected.h"
#include "kernels/selected.h"

namespace mote::internal {
namespace {

using reference::FullyConnectedShape;

FullyConnectedShape ShapeFor(const OpContext& ctx) {
  const auto w = ShapeOf(ctx.input(1));
  const size_t units = static_cast<size_t>(w[0]);
  const size_t depth = static_cast<size_t>(w[1]);
  return {NumElements(ctx.input(0)) / depth, depth, units,
          ctx.op->options_as_FullyConnectedOptions()->weights_interleaved()};
}

}  // namespace

Status CheckFullyConnected(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 2, 3, 1));
  const auto* opts = ctx.op->options_as_FullyConnectedOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& weights = ctx.input(1);
  const schema::Tensor& output = ctx.output(0);
  MOTE_TRY(ExpectActivationType(ctx, input));
  MOTE_TRY(ExpectSameType(ctx, input, output));
  const ElementType type = TypeOf(input);
  MOTE_TRY(CheckWeights(ctx, weights, 2, type));
  const auto w = ShapeOf(weights);
  const size_t units = static_cast<size_t>(w[0]);
  const size_t depth = static_cast<size_t>(w[1]);
  const auto out_shape = ShapeOf(output);
  if (NumElements(input) % depth != 0 || out_shape.empty() ||
      static_cast<size_t>(out_shape.back()) != units ||
      NumElements(output) != NumElements(input) / depth * units) {
    return ctx.Fail("input, weights and output shapes disagree", static_cast<int64_t>(depth),
                    static_cast<int64_t>(units));
  }
  MOTE_TRY(CheckBiasAndAccumulator(ctx, type, units, static_cast<int64_t>(depth)));
  MOTE_TRY(CheckActivationRange(ctx, opts->activation(), output));
  if (opts->weights_interleaved() && type != ElementType::kInt8) {
    return ctx.Fail("interleaved weights are defined for int8 activations only");
  }
  if (type == ElementType::kFloat32) return Status::kOk;
  if (opts->compensated()) return ctx.Fail("compensated accumulation is defined for float32 only");

  return CheckPerChannelQuant(ctx, opts->output_multiplier(), opts->output_shift(), units);
}

void EvalFullyConnected(const OpContext& ctx) {
  const FullyConnectedShape shape = ShapeFor(ctx);
  const auto* opts = ctx.op->options_as_FullyConnectedOptions();
  const schema::ActivationRange& act = *opts->activation();
  const ElementType type = TypeOf(ctx.input(0));
  if (type == ElementType::kFloat32) {
    const float* bias = ctx.has_input(2) ? ctx.input_data<float>(2) : nullptr;
    if (opts->compensated()) {
      kernels::FullyConnectedFloatCompensated(shape, act.fmin(), act.fmax(), ctx.input_data<float>(0),
                                                ctx.input_data<float>(1), bias, ctx.output_data<float>(0));
    } else {
      kernels::FullyConnectedFloat(shape, act.fmin(), act.fmax(), ctx.input_data<float>(0),
                                     ctx.input_data<float>(1), bias, ctx.output_data<float>(0));
    }
    return;
  }
  const reference::QuantizedFcParams params = {
      -ZeroPointOf(ctx.input(0)),
      ZeroPointOf(ctx.output(0)),
      {opts->output_multiplier()->data(), shape.units},
      {opts->output_shift()->data(), shape.units},
      act.min(),
      act.max(),
  };
  if (type == ElementType::kInt8) {
    kernels::FullyConnectedInt8(shape, params, ctx.input_data<int8_t>(0),
                                  ctx.input_data<int8_t>(1),
                                  ctx.has_input(2) ? ctx.input_data<int32_t>(2) : nullptr,
                                  ctx.output_data<int8_t>(0));
  } else {
    kernels::FullyConnectedInt16(shape, params, ctx.input_data<int16_t>(0),
                                   ctx.input_data<int8_t>(1),
                                   ctx.has_input(2) ? ctx.input_data<int64_t>(2) : nullptr,
                                   ctx.output_data<int16_t>(0));
  }
}

}  // namespace mote::internal
