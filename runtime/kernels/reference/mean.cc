#include "kernels/reference/mean.h"

#include <stddef.h>

#include <limits>

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

template <typename T>
void MeanQuantized(const MeanShape& shape, const QuantizedMeanParams& p, const T* input,
                   T* output) {
  const int32_t count = shape.positions;
  for (int32_t b = 0; b < shape.batches; ++b) {
    const T* image = input + static_cast<size_t>(b) * shape.positions * shape.channels;
    for (int32_t c = 0; c < shape.channels; ++c) {
      // 64-bit sums: a hostile file's sizes, multipliers and zero points
      // must saturate, never overflow (the same values wherever int32 fits).
      int64_t sum = 0;
      for (int32_t i = 0; i < shape.positions; ++i) {
        sum += static_cast<int32_t>(image[static_cast<size_t>(i) * shape.channels + c]) -
               int64_t{p.input_zero_point};
      }
      const int64_t scaled =
          MultiplyByQuantizedMultiplier(SaturateToInt32(sum), p.multiplier, p.shift);
      // Division truncates toward zero, so this rounds half away from zero.
      const int64_t mean = scaled > 0 ? (scaled + count / 2) / count : (scaled - count / 2) / count;
      output[static_cast<size_t>(b) * shape.channels + c] =
          ClampTo<T>(SaturateToInt32(mean + p.output_zero_point), std::numeric_limits<T>::min(),
                     std::numeric_limits<T>::max());
    }
  }
}

}  // namespace

void MeanInt8(const MeanShape& shape, const QuantizedMeanParams& params, const int8_t* input,
              int8_t* output) {
  MeanQuantized(shape, params, input, output);
}

void MeanInt16(const MeanShape& shape, const QuantizedMeanParams& params, const int16_t* input,
               int16_t* output) {
  MeanQuantized(shape, params, input, output);
}

void MeanFloat(const MeanShape& shape, const float* input, float* output) {
  for (int32_t b = 0; b < shape.batches; ++b) {
    const float* image = input + static_cast<size_t>(b) * shape.positions * shape.channels;
    for (int32_t c = 0; c < shape.channels; ++c) {
      float sum = 0.0f;
      for (int32_t i = 0; i < shape.positions; ++i) {
        sum += image[static_cast<size_t>(i) * shape.channels + c];
      }
      output[static_cast<size_t>(b) * shape.channels + c] =
          sum / static_cast<float>(shape.positions);
    }
  }
}

}  // namespace mote::reference
