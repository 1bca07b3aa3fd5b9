// Load-time checks shared by the ops with weights and per-output-channel
// requantization (FullyConnected, Conv2D, DepthwiseConv2D).
#ifndef MOTE_KERNELS_OPS_WEIGHT_CHECKS_H_
#define MOTE_KERNELS_OPS_WEIGHT_CHECKS_H_

#include <stddef.h>
#include <stdint.h>

#include "src/op_context.h"

namespace mote::internal {

// Weights are a constant of `rank` dims: float32 for float activations, int8
// with zero point 0 (symmetric) otherwise.
Status CheckWeights(const OpContext& ctx, const schema::Tensor& weights, size_t rank,
                    ElementType activation_type);

// The optional bias (input 2): a constant of `channels` values typed for the
// activations (int32 for int8, int64 for int16, float32). Then the
// accumulator of `depth` products plus bias must not overflow: int8 sums of
// (x - zp) * w are at most 255 * 128 each, and |bias| must fit beside them in
// int32; int16 biases stay below 2^60 so the int64 sum cannot wrap.
Status CheckBiasAndAccumulator(const OpContext& ctx, ElementType activation_type, size_t channels,
                               int64_t depth);

// Quantized activations: one multiplier (>= 0) and shift per channel, shifts
// in [-31, 30] for int8 and [-31, 7] for int16 (the 64-bit requantization);
// int16 input and output are symmetric.
Status CheckPerChannelQuant(const OpContext& ctx, const flatbuffers::Vector<int32_t>* multiplier,
                            const flatbuffers::Vector<int8_t>* shift, size_t channels);

// The optional effective bias of an int8 Conv2D (groups == 1) or
// FullyConnected (Conv2DOptions / FullyConnectedOptions.effective_bias):
// absent, or `allowed` and one value per channel equal to bias[c] +
// input_offset * (sum of row c of the [channels][depth] weights, rows
// interleaved as reference::RowOf when `interleaved`), recomputed in int64.
// O(weights), once at load. Call after CheckWeights and
// CheckBiasAndAccumulator.
Status CheckEffectiveBias(const OpContext& ctx, const flatbuffers::Vector<int32_t>* effective,
                          bool allowed, size_t channels, size_t depth, bool interleaved);

}  // namespace mote::internal

#endif  // MOTE_KERNELS_OPS_WEIGHT_CHECKS_H_
