// FullyConnected: inputs (input, weights [units, depth], optional bias).
#include "kernels/ops/ops.h"
#include "kernels/reference/fully_connected.h"

namespace mote::internal {
namespace {

using reference::FullyConnectedShape;

FullyConnectedShape ShapeFor(const OpContext& ctx) {
  const auto w = ShapeOf(ctx.input(1));
  const size_t units = static_cast<size_t>(w[0]);
  const size_t depth = static_cast<size_t>(w[1]);
  return {NumElements(ctx.input(0)) / depth, depth, units};
}

Status CheckBias(const OpContext& ctx, ElementType input_type, size_t units, size_t depth) {
  const schema::Tensor& bias = ctx.input(2);
  if (!IsConstant(bias) || NumElements(bias) != units) {
    return ctx.Fail("bias must be a constant of [units] values", static_cast<int64_t>(units));
  }
  const ElementType want = input_type == ElementType::kFloat32 ? ElementType::kFloat32
                           : input_type == ElementType::kInt8  ? ElementType::kInt32
                                                               : ElementType::kInt64;
  if (TypeOf(bias) != want) return ctx.Fail("bias type does not match the input type");
  if (input_type == ElementType::kInt8) {
    // |sum (x - zp) w| <= depth * 255 * 128 must leave room for the bias in int32.
    const int64_t headroom = INT32_MAX - static_cast<int64_t>(depth) * 255 * 128;
    for (int32_t b : ctx.buffer<int32_t>(bias.buffer())) {
      if (b > headroom || -static_cast<int64_t>(b) > headroom) {
        return ctx.Fail("int8 accumulator could overflow", b, headroom);
      }
    }
  } else if (input_type == ElementType::kInt16) {
    constexpr int64_t kLimit = int64_t{1} << 60;
    for (int64_t b : ctx.buffer<int64_t>(bias.buffer())) {
      if (b > kLimit || b < -kLimit) return ctx.Fail("int16 bias out of range", b, kLimit);
    }
  }
  return Status::kOk;
}

Status CheckQuantized(const OpContext& ctx, const schema::FullyConnectedOptions& opts,
                      size_t units) {
  const ElementType type = TypeOf(ctx.input(0));
  if (TypeOf(ctx.input(1)) != ElementType::kInt8) return ctx.Fail("weights must be int8");
  const auto* m = opts.output_multiplier();
  const auto* s = opts.output_shift();
  if (m == nullptr || s == nullptr || m->size() != units || s->size() != units) {
    return ctx.Fail("need one output multiplier and shift per unit", static_cast<int64_t>(units));
  }
  const int max_shift = type == ElementType::kInt8 ? 30 : 7;
  for (uint32_t u = 0; u < units; ++u) {
    if (!ValidMultiplier(m->Get(u), s->Get(u), -31, max_shift)) {
      return ctx.Fail("output multiplier or shift out of range", s->Get(u), max_shift);
    }
  }
  if (type == ElementType::kInt16 &&
      (ZeroPointOf(ctx.input(0)) != 0 || ZeroPointOf(ctx.output(0)) != 0)) {
    return ctx.Fail("int16 activations must be symmetric");
  }
  return Status::kOk;
}

}  // namespace

Status CheckFullyConnected(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 2, 3, 1));
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& weights = ctx.input(1);
  const schema::Tensor& output = ctx.output(0);
  MOTE_TRY(ExpectActivationType(ctx, input));
  MOTE_TRY(ExpectSameType(ctx, input, output));
  const auto w = ShapeOf(weights);
  if (!IsConstant(weights) || w.size() != 2) return ctx.Fail("weights must be a constant matrix");
  const size_t units = static_cast<size_t>(w[0]);
  const size_t depth = static_cast<size_t>(w[1]);
  const auto out_shape = ShapeOf(output);
  if (NumElements(input) % depth != 0 || out_shape.empty() ||
      static_cast<size_t>(out_shape.back()) != units ||
      NumElements(output) != NumElements(input) / depth * units) {
    return ctx.Fail("input, weights and output shapes disagree", static_cast<int64_t>(depth),
                    static_cast<int64_t>(units));
  }
  const ElementType type = TypeOf(input);
  if (ctx.has_input(2)) MOTE_TRY(CheckBias(ctx, type, units, depth));
  const auto* opts = ctx.op->options_as_FullyConnectedOptions();
  MOTE_TRY(CheckActivationRange(ctx, opts->activation(), output));
  if (type == ElementType::kFloat32) {
    if (TypeOf(weights) != ElementType::kFloat32) return ctx.Fail("weights must be float32");
    return Status::kOk;
  }
  if (type == ElementType::kInt8 && !ctx.has_input(2)) {
    const int64_t worst = static_cast<int64_t>(depth) * 255 * 128;
    if (worst > INT32_MAX) return ctx.Fail("int8 accumulator could overflow", worst, INT32_MAX);
  }
  return CheckQuantized(ctx, *opts, units);
}

void EvalFullyConnected(const OpContext& ctx) {
  const FullyConnectedShape shape = ShapeFor(ctx);
  const auto* opts = ctx.op->options_as_FullyConnectedOptions();
  const schema::ActivationRange& act = *opts->activation();
  const ElementType type = TypeOf(ctx.input(0));
  if (type == ElementType::kFloat32) {
    reference::FullyConnectedFloat(shape, act.fmin(), act.fmax(), ctx.input_data<float>(0),
                                   ctx.input_data<float>(1),
                                   ctx.has_input(2) ? ctx.input_data<float>(2) : nullptr,
                                   ctx.output_data<float>(0));
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
    reference::FullyConnectedInt8(shape, params, ctx.input_data<int8_t>(0),
                                  ctx.input_data<int8_t>(1),
                                  ctx.has_input(2) ? ctx.input_data<int32_t>(2) : nullptr,
                                  ctx.output_data<int8_t>(0));
  } else {
    reference::FullyConnectedInt16(shape, params, ctx.input_data<int16_t>(0),
                                   ctx.input_data<int8_t>(1),
                                   ctx.has_input(2) ? ctx.input_data<int64_t>(2) : nullptr,
                                   ctx.output_data<int16_t>(0));
  }
}

}  // namespace mote::internal
