#include "kernels/reference/fully_connected.h"

#include "kernels/reference/requantize.h"

namespace mote::reference {

namespace {

inline int8_t OutputInt8(const QuantizedFcParams& params, size_t u, int32_t acc) {
  const int32_t scaled = MultiplyByQuantizedMultiplier(acc, params.multiplier[u], params.shift[u]);
  // Saturated so that an extreme multiplier cannot overflow.
  return ClampTo<int8_t>(SaturateToInt32(int64_t{scaled} + params.output_offset),
                         params.activation_min, params.activation_max);
}

}  // namespace

void FullyConnectedInt8(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output, std::span<uint8_t> /*scratch*/) {
  const size_t depth = shape.depth;
  const size_t blocks = depth / 4;
  const size_t tail = depth % 4;
  // Interleaved groups of four rows (RowOf) are walked in storage order,
  // each input value reused by the group's four rows; other rows are plain.
  const size_t grouped = shape.interleaved ? shape.units / 4 * 4 : 0;
  for (size_t b = 0; b < shape.batches; ++b) {
    const int8_t* in = input + b * depth;
    int8_t* out = output + b * shape.units;
    // The loader bounds depth so these sums cannot overflow int32.
    for (size_t u = 0; u < grouped; u += 4) {
      int32_t acc[4];
      for (size_t r = 0; r < 4; ++r) acc[r] = bias != nullptr ? bias[u + r] : 0;
      const int8_t* w = weights + u * depth;
      for (size_t k = 0; k < blocks; ++k) {
        for (size_t r = 0; r < 4; ++r) {
          for (size_t i = 0; i < 4; ++i, ++w) {
            acc[r] += (static_cast<int32_t>(in[4 * k + i]) + params.input_offset) * *w;
          }
        }
      }
      for (size_t r = 0; r < 4; ++r) {
        for (size_t i = 0; i < tail; ++i, ++w) {
          acc[r] += (static_cast<int32_t>(in[4 * blocks + i]) + params.input_offset) * *w;
        }
      }
      for (size_t r = 0; r < 4; ++r) out[u + r] = OutputInt8(params, u + r, acc[r]);
    }
    for (size_t u = grouped; u < shape.units; ++u) {
      const int8_t* w = weights + u * depth;
      int32_t acc = bias != nullptr ? bias[u] : 0;
      for (size_t d = 0; d < depth; ++d) {
        acc += (static_cast<int32_t>(in[d]) + params.input_offset) * static_cast<int32_t>(w[d]);
      }
      out[u] = OutputInt8(params, u, acc);
    }
  }
}

void FullyConnectedInt16(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                         const int16_t* input, const int8_t* weights, const int64_t* bias,
                         int16_t* output, std::span<uint8_t> /*scratch*/) {
  for (size_t b = 0; b < shape.batches; ++b) {
    const int16_t* in = input + b * shape.depth;
    for (size_t u = 0; u < shape.units; ++u) {
      const int8_t* w = weights + u * shape.depth;
      int64_t acc = 0;
      for (size_t d = 0; d < shape.depth; ++d) {
        acc += static_cast<int32_t>(in[d]) * static_cast<int32_t>(w[d]);
      }
      if (bias != nullptr) acc += bias[u];
      const int32_t scaled =
          MultiplyByQuantizedMultiplier64(acc, params.multiplier[u], params.shift[u]);
      output[b * shape.units + u] = ClampTo<int16_t>(scaled + params.output_offset,
                                                     params.activation_min, params.activation_max);
    }
  }
}

void FullyConnectedFloat(const FullyConnectedShape& shape, float activation_min,
                         float activation_max, const float* input, const float* weights,
                         const float* bias, float* output) {
  for (size_t b = 0; b < shape.batches; ++b) {
    const float* in = input + b * shape.depth;
    for (size_t u = 0; u < shape.units; ++u) {
      const float* w = weights + u * shape.depth;
      float acc = 0.0f;
      for (size_t d = 0; d < shape.depth; ++d) acc += in[d] * w[d];
      if (bias != nullptr) acc += bias[u];
      // Written so that NaN passes through unchanged.
      if (acc < activation_min) acc = activation_min;
      if (acc > activation_max) acc = activation_max;
      output[b * shape.units + u] = acc;
    }
  }
}

void FullyConnectedFloatCompensated(const FullyConnectedShape& shape, float activation_min,
                                    float activation_max, const float* input, const float* weights,
                                    const float* bias, float* output) {
  for (size_t b = 0; b < shape.batches; ++b) {
    const float* in = input + b * shape.depth;
    for (size_t u = 0; u < shape.units; ++u) {
      const float* w = weights + u * shape.depth;
      float sum = 0.0f;
      float lost = 0.0f;  // what the last addition rounded away, negated
      for (size_t d = 0; d < shape.depth; ++d) {
        // Relies on strict IEEE evaluation: no -ffast-math, no contraction.
        const float term = in[d] * w[d] - lost;
        const float next = sum + term;
        lost = (next - sum) - term;
        sum = next;
      }
      if (bias != nullptr) sum += bias[u];
      if (sum < activation_min) sum = activation_min;
      if (sum > activation_max) sum = activation_max;
      output[b * shape.units + u] = sum;
    }
  }
}

}  // namespace mote::reference
