// FullyConnected: inputs (input, weights [units, depth], optional bias).
#include "kernels/ops/ops.h"
#include "kernels/ops/weight_checks.h"
#include "kernels/paths.h"
#include "kernels/reference/fully_connected.h"
#include "kernels/selected.h"

namespace mote::internal {
using reference::FullyConnectedShape;

Status CheckFullyConnected(const OpContext& ctx) {
  MOTE_TRY(ExpectCounts(ctx, 2, 3, 1));
  const auto* opts = ctx.op->options_as_FullyConnectedOptions();
  if (opts == nullptr) return ctx.Fail("options table missing");
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& weights = ctx.input(1);
  const schema::Tensor& output = ctx.output(0);
  MOTE_TRY(ExpectKernelType(ctx, input));
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
  if ((opts->weights_interleaved() || opts->short_requantize()) && type != ElementType::kInt8) {
    return ctx.Fail("interleaved weights and short requantization are defined for int8 only");
  }
  MOTE_TRY(CheckEffectiveBias(ctx, opts->effective_bias(), type == ElementType::kInt8, units, depth,
                              opts->weights_interleaved()));
  if (type == ElementType::kFloat32) return Status::kOk;
  if (opts->compensated()) return ctx.Fail("compensated accumulation is defined for float32 only");
  MOTE_TRY(CheckPerChannelQuant(ctx, opts->output_multiplier(), opts->output_shift(), units));
  if (opts->short_requantize()) {  // the claim kernels rely on, checked here once
    const int64_t room = (int64_t{1} << 30) - static_cast<int64_t>(depth) * 255 * 128;
    const std::span<const int32_t> bias =
        ctx.has_input(2) ? ctx.buffer<int32_t>(ctx.input(2).buffer()) : std::span<const int32_t>();
    for (uint32_t c = 0; c < units; ++c) {
      const int64_t b = c < bias.size() ? bias[c] : 0;
      if (opts->output_shift()->Get(c) >= 0 || b >= room || -b >= room) {
        return ctx.Fail("short requantization claimed but a shift or bias does not allow it",
                        static_cast<int64_t>(c), room);
      }
    }
  }
  return CheckKernelPaths(ctx, DspPathsFullyConnected, kernel_paths::kFullyConnectedReference);
}

// Each tensor and option is looked up once: every flatbuffer access is a
// vtable walk, and on a small model they dominated the op (digits MLP).
namespace {

inline FullyConnectedShape FcShapeOf(const schema::Tensor& input, const schema::Tensor& weights,
                                     const schema::FullyConnectedOptions& opts) {
  const auto wshape = ShapeOf(weights);
  const size_t depth = static_cast<size_t>(wshape[1]);
  return {NumElements(input) / depth, depth, static_cast<size_t>(wshape[0]),
          opts.weights_interleaved()};
}

}  // namespace

void EvalFullyConnected(const OpContext& ctx) {
  const schema::Tensor& input = ctx.input(0);
  const schema::Tensor& weights = ctx.input(1);
  const schema::Tensor& output = ctx.output(0);
  const uint8_t* bias = ctx.has_input(2) ? ctx.Data(ctx.input(2)) : nullptr;
  const uint8_t* in = ctx.Data(input);
  const uint8_t* w = ctx.Data(weights);
  uint8_t* out = const_cast<uint8_t*>(ctx.Data(output));
  const auto* opts = ctx.op->options_as_FullyConnectedOptions();
  const FullyConnectedShape shape = FcShapeOf(input, weights, *opts);
  const schema::ActivationRange& act = *opts->activation();
  const ElementType type = TypeOf(input);
  if (kFloat32Kernels && type == ElementType::kFloat32) {
    const auto* fbias = reinterpret_cast<const float*>(bias);
    const auto* fin = reinterpret_cast<const float*>(in);
    const auto* fw = reinterpret_cast<const float*>(w);
    auto* fout = reinterpret_cast<float*>(out);
    if (opts->compensated()) {
      kernels::FullyConnectedFloatCompensated(shape, act.fmin(), act.fmax(), fin, fw, fbias, fout);
    } else {
      kernels::FullyConnectedFloat(shape, act.fmin(), act.fmax(), fin, fw, fbias, fout);
    }
    return;
  }
  const reference::QuantizedFcParams params = {
      -ZeroPointOf(input),
      ZeroPointOf(output),
      {opts->output_multiplier()->data(), shape.units},
      {opts->output_shift()->data(), shape.units},
      act.min(),
      act.max(),
      opts->short_requantize(),
      opts->effective_bias() != nullptr ? opts->effective_bias()->data() : nullptr,
  };
  const auto* w8 = reinterpret_cast<const int8_t*>(w);
  if (kInt8Kernels && type == ElementType::kInt8) {
    kernels::FullyConnectedInt8(shape, params, reinterpret_cast<const int8_t*>(in), w8,
                                reinterpret_cast<const int32_t*>(bias),
                                reinterpret_cast<int8_t*>(out), ctx.scratch());
  } else if (kInt16Kernels && type == ElementType::kInt16) {
    kernels::FullyConnectedInt16(shape, params, reinterpret_cast<const int16_t*>(in), w8,
                                 reinterpret_cast<const int64_t*>(bias),
                                 reinterpret_cast<int16_t*>(out), ctx.scratch());
  }
}

uint32_t DspPathsFullyConnected(const OpContext& ctx) {
  if (TypeOf(ctx.input(0)) != ElementType::kInt8) return 0;
  const schema::Tensor& weights = ctx.input(1);
  const bool aligned = reinterpret_cast<uintptr_t>(ctx.Data(weights)) % 4 == 0;
  const FullyConnectedShape shape =
      FcShapeOf(ctx.input(0), weights, *ctx.op->options_as_FullyConnectedOptions());
  return kernel_paths::DspFullyConnectedInt8(shape, aligned, ctx.op->scratch_size());
}

}  // namespace mote::internal
