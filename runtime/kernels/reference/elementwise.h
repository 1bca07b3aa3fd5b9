// Elementwise kernels: clamp (Relu, Relu6, Clip), table lookups (quantized
// Sigmoid, Tanh, HardSwish, LeakyRelu), float activations, quantize,
// dequantize, requantize.
#ifndef MOTE_KERNELS_REFERENCE_ELEMENTWISE_H_
#define MOTE_KERNELS_REFERENCE_ELEMENTWISE_H_

#include <stddef.h>
#include <stdint.h>

#include <span>

namespace mote::reference {

template <typename T>
void Clamp(std::span<const T> input, T lo, T hi, std::span<T> output) {
  for (size_t i = 0; i < input.size(); ++i) {
    T v = input[i];
    if (v < lo) v = lo;  // comparisons keep NaN unchanged
    if (v > hi) v = hi;
    output[i] = v;
  }
}

// out[i] = table[in[i] + 128]; `table` has 256 entries.
void LookupInt8(std::span<const int8_t> input, const int8_t* table, std::span<int8_t> output);

// Interpolated lookup: `table` has 513 entries for inputs -32768, -32640,
// ..., 32768 (steps of 128).
int32_t InterpolateTable513(const int16_t* table, uint32_t index);
void LookupInt16(std::span<const int16_t> input, const int16_t* table, std::span<int16_t> output);

void SigmoidFloat(std::span<const float> input, std::span<float> output);
void TanhFloat(std::span<const float> input, std::span<float> output);
// x * min(max(x + 3, 0), 6) / 6.
void HardSwishFloat(std::span<const float> input, std::span<float> output);
// x < 0 ? alpha * x : x.
void LeakyReluFloat(std::span<const float> input, float alpha, std::span<float> output);

// float -> int8/int16 with the output's scale and zero point (see
// mote/quantize.h for rounding and NaN rules).
template <typename T>
void QuantizeFloat(std::span<const float> input, float scale, int32_t zero_point, int32_t lo,
                   int32_t hi, std::span<T> output);

// float -> int32 on a per-feature grid (the last axis): q = round(x / scale[f]),
// saturated to [INT32_MIN + 1, INT32_MAX]; NaN becomes INT32_MIN, which tree
// kernels read as a missing value.
void QuantizeToFeatureGrid(std::span<const float> input, const float* scales, size_t features,
                           std::span<int32_t> output);

template <typename T>
void DequantizeToFloat(std::span<const T> input, float scale, int32_t zero_point,
                       std::span<float> output) {
  for (size_t i = 0; i < input.size(); ++i) {
    output[i] = scale * static_cast<float>(static_cast<int32_t>(input[i]) - zero_point);
  }
}

// Quantized -> quantized: out = (in - zp_in) * M + zp_out, saturated.
template <typename In, typename Out>
void Requantize(std::span<const In> input, int32_t input_zero_point, int32_t multiplier, int shift,
                int32_t output_zero_point, int32_t lo, int32_t hi, std::span<Out> output);

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_ELEMENTWISE_H_
