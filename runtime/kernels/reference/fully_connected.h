// Fully connected (dense) layer: out[b][u] = act(sum_d in[b][d] * w[u][d] + bias[u]).
// Weights are [units, depth], row-major. Quantized weights are int8,
// symmetric per output channel (zero point 0).
#ifndef MOTE_KERNELS_REFERENCE_FULLY_CONNECTED_H_
#define MOTE_KERNELS_REFERENCE_FULLY_CONNECTED_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

namespace mote::reference {

struct FullyConnectedShape {
  size_t batches;
  size_t depth;
  size_t units;
  // int8 only: weights stored with rows interleaved (RowOf below).
  bool interleaved = false;
};

// int8 weights may be stored with rows interleaved (FullyConnectedOptions.
// weights_interleaved, written by modelc for kernels that load four rows'
// words with one LDM): rows in groups of four; in a group, the depth in
// blocks of four values with the four rows' blocks side by side
// ([r0 d0-3][r1 d0-3][r2 d0-3][r3 d0-3][r0 d4-7]...), then each row's
// depth % 4 last values, row by row. Rows after the last whole group stay
// plain. A group takes the bytes of its four plain rows, so the layout only
// permutes bytes inside a group.
struct WeightRow {
  const int8_t* blocks;  // the row's first block of four values
  size_t block_stride;   // bytes from one of its blocks to the next
  const int8_t* tail;    // its depth % 4 last values
};

inline WeightRow RowOf(const int8_t* weights, size_t depth, size_t units, bool interleaved,
                       size_t u) {
  const size_t blocks = depth / 4;
  if (!interleaved || u >= units / 4 * 4) {
    const int8_t* row = weights + u * depth;
    return {row, 4, row + 4 * blocks};
  }
  const int8_t* group = weights + (u / 4) * 4 * depth;
  const size_t r = u % 4;
  return {group + 4 * r, 16, group + 16 * blocks + r * (depth % 4)};
}

// Per-output-channel requantization and the clamp of a fused activation.
struct QuantizedFcParams {
  int32_t input_offset;    // -input zero point (0 for int16)
  int32_t output_offset;   // output zero point
  std::span<const int32_t> multiplier;  // [units]
  std::span<const int8_t> shift;        // [units]
  int32_t activation_min;
  int32_t activation_max;
  // int8: every shift < 0 and every accumulator under 2^30 (checked at load;
  // FullyConnectedOptions.short_requantize). The reference ignores it.
  bool short_requantize = false;
  // int8, may be null: per unit, bias + input_offset * (sum of the unit's
  // weights) (FullyConnectedOptions.effective_bias, checked at load), for
  // kernels that fold the input offset into the bias. The reference ignores it.
  const int32_t* effective_bias = nullptr;
};

// int8 activations, int32 bias (may be empty), int32 accumulation; plain or
// interleaved rows (shape.interleaved).
//
// `scratch` (every int8/int16 FullyConnected and Conv2D variant): the op's
// arena scratch (kernels/scratch.h says how much each variant uses); the
// reference needs none and ignores it. A target variant given less than
// its path needs takes a scratch-free path with the same results.
void FullyConnectedInt8(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output, std::span<uint8_t> scratch);

// int16 activations (symmetric), int64 bias (may be null), int64 accumulation.
void FullyConnectedInt16(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                         const int16_t* input, const int8_t* weights, const int64_t* bias,
                         int16_t* output, std::span<uint8_t> scratch);

void FullyConnectedFloat(const FullyConnectedShape& shape, float activation_min,
                         float activation_max, const float* input, const float* weights,
                         const float* bias, float* output);

// The same with Kahan-compensated accumulation: the error of each addition is
// carried into the next, so the sum is as if accumulated in about twice the
// precision. Four float operations per term instead of two.
void FullyConnectedFloatCompensated(const FullyConnectedShape& shape, float activation_min,
                                    float activation_max, const float* input, const float* weights,
                                    const float* bias, float* output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_FULLY_CONNECTED_H_
