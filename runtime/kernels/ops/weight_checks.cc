#include "kernels/ops/weight_checks.h"

#include "kernels/reference/fully_connected.h"

namespace mote::internal {

Status CheckWeights(const OpContext& ctx, const schema::Tensor& weights, size_t rank,
                    ElementType activation_type) {
  if (!IsConstant(weights) || ShapeOf(weights).size() != rank) {
    return ctx.Fail("weights must be a constant of the expected rank",
                    static_cast<int64_t>(ShapeOf(weights).size()), static_cast<int64_t>(rank));
  }
  const ElementType want =
      activation_type == ElementType::kFloat32 ? ElementType::kFloat32 : ElementType::kInt8;
  if (TypeOf(weights) != want) return ctx.Fail("weights type does not match the activations");
  if (weights.quant() != nullptr && weights.quant()->zero_point() != nullptr) {
    for (int32_t zp : *weights.quant()->zero_point()) {
      if (zp != 0) return ctx.Fail("weights must be symmetric (zero point 0)", zp);
    }
  }
  return Status::kOk;
}

Status CheckBiasAndAccumulator(const OpContext& ctx, ElementType activation_type, size_t channels,
                               int64_t depth) {
  // `depth` counts elements of a tensor under 2 GiB, so these cannot overflow.
  const int64_t int8_worst = depth * 255 * 128;
  if (!ctx.has_input(2)) {
    if (activation_type == ElementType::kInt8 && int8_worst > INT32_MAX) {
      return ctx.Fail("int8 accumulator could overflow", int8_worst, INT32_MAX);
    }
    return Status::kOk;
  }
  const schema::Tensor& bias = ctx.input(2);
  if (!IsConstant(bias) || NumElements(bias) != channels) {
    return ctx.Fail("bias must be a constant of one value per output channel",
                    static_cast<int64_t>(NumElements(bias)), static_cast<int64_t>(channels));
  }
  const ElementType want = activation_type == ElementType::kFloat32 ? ElementType::kFloat32
                           : activation_type == ElementType::kInt8  ? ElementType::kInt32
                                                                    : ElementType::kInt64;
  if (TypeOf(bias) != want) return ctx.Fail("bias type does not match the input type");
  if (activation_type == ElementType::kInt8) {
    const int64_t headroom = INT32_MAX - int8_worst;
    for (int32_t b : ctx.buffer<int32_t>(bias.buffer())) {
      if (b > headroom || -static_cast<int64_t>(b) > headroom) {
        return ctx.Fail("int8 accumulator could overflow", b, headroom);
      }
    }
  } else if (activation_type == ElementType::kInt16) {
    constexpr int64_t kLimit = int64_t{1} << 60;
    for (int64_t b : ctx.buffer<int64_t>(bias.buffer())) {
      if (b > kLimit || b < -kLimit) return ctx.Fail("int16 bias out of range", b, kLimit);
    }
  }
  return Status::kOk;
}

Status CheckPerChannelQuant(const OpContext& ctx, const flatbuffers::Vector<int32_t>* multiplier,
                            const flatbuffers::Vector<int8_t>* shift, size_t channels) {
  if (multiplier == nullptr || shift == nullptr || multiplier->size() != channels ||
      shift->size() != channels) {
    return ctx.Fail("need one output multiplier and shift per output channel",
                    multiplier == nullptr ? -1 : static_cast<int64_t>(multiplier->size()),
                    static_cast<int64_t>(channels));
  }
  const ElementType type = TypeOf(ctx.input(0));
  const int max_shift = type == ElementType::kInt8 ? 30 : 7;
  for (uint32_t c = 0; c < channels; ++c) {
    if (!ValidMultiplier(multiplier->Get(c), shift->Get(c), -31, max_shift)) {
      return ctx.Fail("output multiplier or shift out of range", shift->Get(c), max_shift);
    }
  }
  if (type == ElementType::kInt16 &&
      (ZeroPointOf(ctx.input(0)) != 0 || ZeroPointOf(ctx.output(0)) != 0)) {
    return ctx.Fail("int16 activations must be symmetric");
  }
  return Status::kOk;
}

Status CheckEffectiveBias(const OpContext& ctx, const flatbuffers::Vector<int32_t>* effective,
                          bool allowed, size_t channels, size_t depth, bool interleaved) {
  if (effective == nullptr) return Status::kOk;
  if (!allowed) {
    return ctx.Fail(
        "an effective bias is defined for int8 FullyConnected and ungrouped Conv2D only");
  }
  if (effective->size() != channels) {
    return ctx.Fail("need one effective bias per output channel",
                    static_cast<int64_t>(effective->size()), static_cast<int64_t>(channels));
  }
  const int64_t offset = -static_cast<int64_t>(ZeroPointOf(ctx.input(0)));
  const auto* weights = reinterpret_cast<const int8_t*>(ctx.Data(ctx.input(1)));
  const std::span<const int32_t> bias =
      ctx.has_input(2) ? ctx.buffer<int32_t>(ctx.input(2).buffer()) : std::span<const int32_t>();
  for (size_t c = 0; c < channels; ++c) {
    const reference::WeightRow row = reference::RowOf(weights, depth, channels, interleaved, c);
    int64_t sum = 0;
    const int8_t* block = row.blocks;
    for (size_t k = 0; k < depth / 4; ++k, block += row.block_stride) {
      sum += int64_t{block[0]} + block[1] + block[2] + block[3];
    }
    for (size_t k = 0; k < depth % 4; ++k) sum += row.tail[k];
    const int64_t want = (c < bias.size() ? int64_t{bias[c]} : 0) + offset * sum;
    if (want < INT32_MIN || want > INT32_MAX || effective->Get(static_cast<uint32_t>(c)) != want) {
      return ctx.Fail("effective bias does not match the bias and weights",
                      effective->Get(static_cast<uint32_t>(c)), want);
    }
  }
  return Status::kOk;
}

}  // namespace mote::internal
