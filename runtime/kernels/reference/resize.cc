#include "kernels/reference/resize.h"

#include <string.h>

namespace mote::reference {
namespace {

// The linear loop, with `lerp(a, b, weight_index, axis)` the 1-D step and
// `finish(top, bottom, oy)` the vertical one.
template <typename T, typename Row, typename Finish>
void LinearLoop(const ResizeShape& s, std::span<const int32_t> y_index,
                std::span<const int32_t> x_index, const T* input, T* output, Row row,
                Finish finish) {
  const size_t row_size = static_cast<size_t>(s.in_w) * s.channels;
  T* out = output;
  for (int32_t b = 0; b < s.batches; ++b) {
    const T* image = input + static_cast<size_t>(b) * s.in_h * row_size;
    for (int32_t oy = 0; oy < s.out_h; ++oy) {
      const T* top = image + static_cast<size_t>(y_index[2 * oy]) * row_size;
      const T* bottom = image + static_cast<size_t>(y_index[2 * oy + 1]) * row_size;
      for (int32_t ox = 0; ox < s.out_w; ++ox) {
        const size_t left = static_cast<size_t>(x_index[2 * ox]) * s.channels;
        const size_t right = static_cast<size_t>(x_index[2 * ox + 1]) * s.channels;
        for (int32_t c = 0; c < s.channels; ++c) {
          *out++ = finish(row(top[left + c], top[right + c], ox),
                          row(bottom[left + c], bottom[right + c], ox), oy);
        }
      }
    }
  }
}

template <typename T>
void LinearInteger(const ResizeShape& s, std::span<const int32_t> y_index,
                   std::span<const int32_t> x_index, std::span<const uint16_t> y_fraction,
                   std::span<const uint16_t> x_fraction, const T* input, T* output) {
  LinearLoop(
      s, y_index, x_index, input, output,
      [&](T a, T b, int32_t ox) {
        const int32_t wx = x_fraction[ox];
        return static_cast<int32_t>(a) * (kResizeOne - wx) + static_cast<int32_t>(b) * wx;
      },
      [&](int32_t top, int32_t bottom, int32_t oy) {
        const int64_t wy = y_fraction[oy];
        const int64_t sum = top * (kResizeOne - wy) + bottom * wy;
        // A weighted mean of two T values: the rounded result is one too.
        return static_cast<T>((sum + (int64_t{1} << (2 * kResizeFractionBits - 1))) >>
                              (2 * kResizeFractionBits));
      });
}

}  // namespace

void ResizeNearest(const ResizeShape& s, size_t element_size, std::span<const int32_t> y_index,
                   std::span<const int32_t> x_index, const uint8_t* input, uint8_t* output) {
  const size_t pixel = static_cast<size_t>(s.channels) * element_size;
  const size_t row_size = static_cast<size_t>(s.in_w) * pixel;
  uint8_t* out = output;
  for (int32_t b = 0; b < s.batches; ++b) {
    const uint8_t* image = input + static_cast<size_t>(b) * s.in_h * row_size;
    for (int32_t oy = 0; oy < s.out_h; ++oy) {
      const uint8_t* row = image + static_cast<size_t>(y_index[oy]) * row_size;
      for (int32_t ox = 0; ox < s.out_w; ++ox) {
        memcpy(out, row + static_cast<size_t>(x_index[ox]) * pixel, pixel);
        out += pixel;
      }
    }
  }
}

void ResizeLinearInt8(const ResizeShape& s, std::span<const int32_t> y_index,
                      std::span<const int32_t> x_index, std::span<const uint16_t> y_fraction,
                      std::span<const uint16_t> x_fraction, const int8_t* input, int8_t* output) {
  LinearInteger(s, y_index, x_index, y_fraction, x_fraction, input, output);
}

void ResizeLinearInt16(const ResizeShape& s, std::span<const int32_t> y_index,
                       std::span<const int32_t> x_index, std::span<const uint16_t> y_fraction,
                       std::span<const uint16_t> x_fraction, const int16_t* input,
                       int16_t* output) {
  LinearInteger(s, y_index, x_index, y_fraction, x_fraction, input, output);
}

void ResizeLinearFloat(const ResizeShape& s, std::span<const int32_t> y_index,
                       std::span<const int32_t> x_index, std::span<const float> y_weight,
                       std::span<const float> x_weight, const float* input, float* output) {
  LinearLoop(
      s, y_index, x_index, input, output,
      [&](float a, float b, int32_t ox) { return a * (1.0f - x_weight[ox]) + b * x_weight[ox]; },
      [&](float top, float bottom, int32_t oy) {
        return top * (1.0f - y_weight[oy]) + bottom * y_weight[oy];
      });
}

}  // namespace mote::reference
