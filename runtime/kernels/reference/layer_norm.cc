#include "kernels/reference/layer_norm.h"

#include "kernels/reference/math.h"
#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

// round(x / 2^s), ties away from zero; s in [1, 62].
int64_t RoundShift(int64_t x, int s) {
  const int64_t half = int64_t{1} << (s - 1);
  return x >= 0 ? (x + half) >> s : -((-x + half) >> s);
}

template <typename T>
void LayerNormQuantized(size_t rows, size_t depth, const QuantizedLayerNormParams& p,
                        const T* input, T* output) {
  const int64_t d = static_cast<int64_t>(depth);
  constexpr int32_t kMin = sizeof(T) == 1 ? -128 : -32768;
  constexpr int32_t kMax = sizeof(T) == 1 ? 127 : 32767;
  for (size_t r = 0; r < rows; ++r) {
    const T* x = input + r * depth;
    T* y = output + r * depth;
    int64_t sum = 0, squares = 0;
    for (size_t c = 0; c < depth; ++c) {
      const int64_t v = static_cast<int64_t>(x[c]) + p.input_offset;
      sum += v;
      squares += v * v;
    }
    const int64_t variance = d * squares - sum * sum + p.epsilon;  // >= epsilon >= 1
    int p2 = 0;                                                    // V * 4^p2 in [2^60, 2^62)
    while ((variance << (2 * p2)) < (int64_t{1} << 60)) ++p2;
    const uint32_t root = IntegerSqrt(static_cast<uint64_t>(variance) << (2 * p2));
    const int64_t inverse = (int64_t{1} << 62) / root;  // (2^31, 2^32]
    for (size_t c = 0; c < depth; ++c) {
      const int64_t centered = d * (static_cast<int64_t>(x[c]) + p.input_offset) - sum;
      const int32_t normalized = static_cast<int32_t>(RoundShift(centered * inverse, 46 - p2));
      const int64_t v =
          int64_t{MultiplyByQuantizedMultiplier(normalized, p.multiplier[c], p.shift[c])} +
          p.bias[c] + p.output_offset;
      y[c] = static_cast<T>(v < kMin ? kMin : (v > kMax ? kMax : v));
    }
  }
}

}  // namespace

uint32_t IntegerSqrt(uint64_t v) {
  uint64_t root = 0;
  uint64_t bit = uint64_t{1} << 62;
  while (bit > v) bit >>= 2;
  while (bit != 0) {
    if (v >= root + bit) {
      v -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  return static_cast<uint32_t>(root);
}

void LayerNormInt8(size_t rows, size_t depth, const QuantizedLayerNormParams& p,
                   const int8_t* input, int8_t* output) {
  LayerNormQuantized(rows, depth, p, input, output);
}

void LayerNormInt16(size_t rows, size_t depth, const QuantizedLayerNormParams& p,
                    const int16_t* input, int16_t* output) {
  LayerNormQuantized(rows, depth, p, input, output);
}

void LayerNormFloat(size_t rows, size_t depth, float epsilon, const float* gamma, const float* beta,
                    const float* input, float* output) {
  const float count = static_cast<float>(depth);
  for (size_t r = 0; r < rows; ++r) {
    const float* x = input + r * depth;
    float* y = output + r * depth;
    float sum = 0.0f;
    for (size_t c = 0; c < depth; ++c) sum += x[c];
    const float mean = sum / count;
    float squares = 0.0f;
    for (size_t c = 0; c < depth; ++c) squares += (x[c] - mean) * (x[c] - mean);
    const float inverse = 1.0f / Sqrt(squares / count + epsilon);
    for (size_t c = 0; c < depth; ++c) {
      y[c] = (x[c] - mean) * inverse * gamma[c] + (beta != nullptr ? beta[c] : 0.0f);
    }
  }
}

}  // namespace mote::reference
