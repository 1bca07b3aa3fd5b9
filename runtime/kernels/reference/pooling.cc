#include "kernels/reference/pooling.h"

#include <stddef.h>

#include <limits>

#include "kernels/reference/requantize.h"

namespace mote::reference {
namespace {

// Visits outputs in TFLite's order (batch, out_y, out_x, channel);
// pool(for_each, count) returns one output from the `count` valid positions
// of its window, which for_each(visit) walks row by row.
template <typename T, typename Pool>
void PoolLoop(const Window2D& w, const T* input, T* output, Pool pool) {
  T* out = output;
  for (int32_t b = 0; b < w.batches; ++b) {
    const T* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    for (int32_t oy = 0; oy < w.out_h; ++oy) {
      const int32_t y0 = oy * w.stride_h - w.pad_top;
      // The valid part of the window: rows [y_begin, y_end) of the input.
      const int32_t y_begin = y0 < 0 ? 0 : y0;
      const int32_t y_end = y0 + w.filter_h < w.in_h ? y0 + w.filter_h : w.in_h;
      for (int32_t ox = 0; ox < w.out_w; ++ox) {
        const int32_t x0 = ox * w.stride_w - w.pad_left;
        const int32_t x_begin = x0 < 0 ? 0 : x0;
        const int32_t x_end = x0 + w.filter_w < w.in_w ? x0 + w.filter_w : w.in_w;
        const int32_t count = (y_end - y_begin) * (x_end - x_begin);
        // The valid positions as `rows` runs of `run` elements (channel 0),
        // runs `row_step` apart; a window spanning whole input rows is one
        // run, its positions evenly spaced.
        const size_t step = static_cast<size_t>(w.in_c);
        const size_t row_step = static_cast<size_t>(w.in_w) * step;
        size_t run = static_cast<size_t>(x_end - x_begin) * step;
        int32_t rows = y_end - y_begin;
        if (run == row_step) {
          run *= static_cast<size_t>(rows);
          rows = 1;
        }
        const T* first = image + static_cast<size_t>(y_begin) * row_step + x_begin * step;
        for (int32_t c = 0; c < w.in_c; ++c) {
          // Calls visit(value) for every valid position of channel c.
          auto for_each = [&](auto visit) {
            const T* row = first + c;
            for (int32_t y = 0; y < rows; ++y, row += row_step) {
              for (const T* p = row; p != row + run; p += step) visit(*p);
            }
          };
          *out++ = pool(for_each, count);
        }
      }
    }
  }
}

template <typename T>
void AveragePoolQuantized(const Window2D& w, int32_t lo, int32_t hi, const T* input, T* output) {
  PoolLoop(w, input, output, [&](auto for_each, int32_t count) {
    int32_t acc = 0;
    for_each([&](T v) { acc += v; });
    // Division truncates toward zero, so this rounds half away from zero.
    acc = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
    return ClampTo<T>(acc, lo, hi);
  });
}

template <typename T>
void MaxPoolQuantized(const Window2D& w, int32_t lo, int32_t hi, const T* input, T* output) {
  PoolLoop(w, input, output, [&](auto for_each, int32_t) {
    int32_t max = std::numeric_limits<T>::lowest();
    for_each([&](T v) {
      if (v > max) max = v;
    });
    return ClampTo<T>(max, lo, hi);
  });
}

float ClampFloat(float v, float lo, float hi) {
  if (v < lo) v = lo;  // NaN stays NaN
  if (v > hi) v = hi;
  return v;
}

}  // namespace

void AveragePoolInt8(const Window2D& w, int32_t activation_min, int32_t activation_max,
                     const int8_t* input, int8_t* output) {
  AveragePoolQuantized(w, activation_min, activation_max, input, output);
}

void AveragePoolInt16(const Window2D& w, int32_t activation_min, int32_t activation_max,
                      const int16_t* input, int16_t* output) {
  AveragePoolQuantized(w, activation_min, activation_max, input, output);
}

void AveragePoolFloat(const Window2D& w, float activation_min, float activation_max,
                      const float* input, float* output) {
  PoolLoop(w, input, output, [&](auto for_each, int32_t count) {
    float total = 0.0f;
    for_each([&](float v) { total += v; });
    return ClampFloat(total / static_cast<float>(count), activation_min, activation_max);
  });
}

void MaxPoolInt8(const Window2D& w, int32_t activation_min, int32_t activation_max,
                 const int8_t* input, int8_t* output) {
  MaxPoolQuantized(w, activation_min, activation_max, input, output);
}

void MaxPoolInt16(const Window2D& w, int32_t activation_min, int32_t activation_max,
                  const int16_t* input, int16_t* output) {
  MaxPoolQuantized(w, activation_min, activation_max, input, output);
}

void MaxPoolFloat(const Window2D& w, float activation_min, float activation_max, const float* input,
                  float* output) {
  PoolLoop(w, input, output, [&](auto for_each, int32_t) {
    float max = std::numeric_limits<float>::lowest();  // as TFLite starts
    // Comparison as std::max(max, v): a NaN input is skipped, like TFLite.
    for_each([&](float v) {
      if (max < v) max = v;
    });
    return ClampFloat(max, activation_min, activation_max);
  });
}

}  // namespace mote::reference
