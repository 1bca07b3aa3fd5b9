#include "kernels/reference/elementwise.h"

#include <string.h>

#include "kernels/reference/math.h"
#include "kernels/reference/requantize.h"
#include "mote/quantize.h"

namespace mote::reference {

void LookupInt8(std::span<const int8_t> input, const int8_t* table, std::span<int8_t> output) {
  for (size_t i = 0; i < input.size(); ++i) {
    output[i] = table[static_cast<int32_t>(input[i]) + 128];
  }
}

int32_t InterpolateTable513(const int16_t* table, uint32_t index) {
  const uint32_t base = index >> 7;
  const int32_t frac = static_cast<int32_t>(index & 127u);
  const int32_t a = table[base];
  const int32_t b = table[base + 1];
  return a + (((b - a) * frac + 64) >> 7);
}

void LookupInt16(std::span<const int16_t> input, const int16_t* table,
                 std::span<int16_t> output) {
  for (size_t i = 0; i < input.size(); ++i) {
    const uint32_t index = static_cast<uint32_t>(static_cast<int32_t>(input[i]) + 32768);
    output[i] = static_cast<int16_t>(InterpolateTable513(table, index));
  }
}

void SigmoidFloat(std::span<const float> input, std::span<float> output) {
  for (size_t i = 0; i < input.size(); ++i) output[i] = Sigmoid(input[i]);
}

void TanhFloat(std::span<const float> input, std::span<float> output) {
  for (size_t i = 0; i < input.size(); ++i) output[i] = Tanh(input[i]);
}

void HardSwishFloat(std::span<const float> input, std::span<float> output) {
  for (size_t i = 0; i < input.size(); ++i) {
    const float x = input[i];
    float gate = x + 3.0f;
    if (gate < 0.0f) gate = 0.0f;  // NaN stays NaN
    if (gate > 6.0f) gate = 6.0f;
    output[i] = x * gate / 6.0f;
  }
}

void LeakyReluFloat(std::span<const float> input, float alpha, std::span<float> output) {
  for (size_t i = 0; i < input.size(); ++i) {
    const float x = input[i];
    output[i] = x < 0.0f ? alpha * x : x;
  }
}

template <typename T>
void QuantizeFloat(std::span<const float> input, float scale, int32_t zero_point, int32_t lo,
                   int32_t hi, std::span<T> output) {
  for (size_t i = 0; i < input.size(); ++i) {
    output[i] = static_cast<T>(QuantizeValue(input[i], scale, zero_point, lo, hi));
  }
}
template void QuantizeFloat<int8_t>(std::span<const float>, float, int32_t, int32_t, int32_t,
                                    std::span<int8_t>);
template void QuantizeFloat<int16_t>(std::span<const float>, float, int32_t, int32_t, int32_t,
                                     std::span<int16_t>);

namespace {

uint32_t Bits(float f) {
  uint32_t b;
  memcpy(&b, &f, sizeof(b));
  return b;
}

// k if `scale` is exactly 2^-k (a normal float), else a value out of [-120, 120].
int PowerOfTwoExponent(float scale) {
  const uint32_t b = Bits(scale);
  const int exponent = static_cast<int>((b >> 23) & 0xFF);
  if ((b & 0x807FFFFFu) != 0 || exponent == 0 || exponent == 0xFF) return 1000;
  return 127 - exponent;
}

// round(x * 2^k) half away from zero, saturated to [INT32_MIN + 1, INT32_MAX],
// with integer operations only: the same value as QuantizeValue(x, 2^-k, ...)
// (x * 2^k is exact in float) without soft-float arithmetic on FPU-less cores.
int32_t ScaleByPowerOfTwo(float x, int k) {
  const uint32_t b = Bits(x);
  const bool negative = (b >> 31) != 0;
  const int exponent = static_cast<int>((b >> 23) & 0xFF);
  if (exponent == 0xFF) return negative ? INT32_MIN + 1 : INT32_MAX;  // infinities (NaN handled by the caller)
  const uint32_t mantissa = exponent == 0 ? (b & 0x7FFFFFu) : ((b & 0x7FFFFFu) | 0x800000u);
  const int shift = (exponent == 0 ? 1 : exponent) - 150 + k;  // x = mantissa * 2^(shift - k)
  uint32_t magnitude;
  if (shift >= 0) {
    magnitude = (shift >= 8 || mantissa > (0x7FFFFFFFu >> shift)) ? 0x7FFFFFFFu : mantissa << shift;
  } else if (shift < -24) {
    magnitude = 0;  // below one half
  } else {
    magnitude = (mantissa + (1u << (-shift - 1))) >> -shift;
  }
  return negative ? -static_cast<int32_t>(magnitude) : static_cast<int32_t>(magnitude);
}

}  // namespace

void QuantizeToFeatureGrid(std::span<const float> input, const float* scales, size_t features,
                           std::span<int32_t> output) {
  for (size_t i = 0; i < input.size(); ++i) {
    const float x = input[i];
    const float scale = scales[i % features];
    const int k = PowerOfTwoExponent(scale);
    if (x != x) {
      output[i] = INT32_MIN;
    } else if (k >= -100 && k <= 100) {
      output[i] = ScaleByPowerOfTwo(x, k);
    } else {
      output[i] = QuantizeValue(x, scale, 0, INT32_MIN + 1, INT32_MAX);
    }
  }
}

template <typename In, typename Out>
void Requantize(std::span<const In> input, int32_t input_zero_point, int32_t multiplier, int shift,
                int32_t output_zero_point, int32_t lo, int32_t hi, std::span<Out> output) {
  for (size_t i = 0; i < input.size(); ++i) {
    const int32_t v = MultiplyByQuantizedMultiplier(
        static_cast<int32_t>(input[i]) - input_zero_point, multiplier, shift);
    output[i] = ClampTo<Out>(SaturateToInt32(int64_t{v} + output_zero_point), lo, hi);
  }
}
template void Requantize<int8_t, int8_t>(std::span<const int8_t>, int32_t, int32_t, int, int32_t,
                                         int32_t, int32_t, std::span<int8_t>);
template void Requantize<int8_t, int16_t>(std::span<const int8_t>, int32_t, int32_t, int, int32_t,
                                          int32_t, int32_t, std::span<int16_t>);
template void Requantize<int16_t, int8_t>(std::span<const int16_t>, int32_t, int32_t, int,
                                          int32_t, int32_t, int32_t, std::span<int8_t>);
template void Requantize<int16_t, int16_t>(std::span<const int16_t>, int32_t, int32_t, int,
                                           int32_t, int32_t, int32_t, std::span<int16_t>);

}  // namespace mote::reference
