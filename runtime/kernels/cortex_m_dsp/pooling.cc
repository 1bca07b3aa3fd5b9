#include "kernels/cortex_m_dsp/pooling.h"

#include <stddef.h>
#include <string.h>

#include "kernels/cortex_m_dsp/simd.h"
#include "kernels/reference/requantize.h"

namespace mote::cortex_m_dsp {
namespace {

// The valid part of one output's window (as the reference clips it):
// `rows` x `cols` positions from `origin` (channel 0), rows `row_step` apart.
struct ValidWindow {
  const int8_t* origin;
  int32_t rows, cols;
  ptrdiff_t row_step;
};

// Calls pixel(window, out) for every output pixel in the reference's order.
template <typename Pixel>
void ForEachPixel(const Window2D& w, const int8_t* input, int8_t* output, Pixel pixel) {
  const ptrdiff_t row_step = static_cast<ptrdiff_t>(w.in_w) * w.in_c;
  int8_t* out = output;
  for (int32_t b = 0; b < w.batches; ++b) {
    const int8_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    for (int32_t oy = 0; oy < w.out_h; ++oy) {
      const int32_t y0 = oy * w.stride_h - w.pad_top;
      const int32_t y_begin = y0 < 0 ? 0 : y0;
      const int32_t y_end = y0 + w.filter_h < w.in_h ? y0 + w.filter_h : w.in_h;
      for (int32_t ox = 0; ox < w.out_w; ++ox) {
        const int32_t x0 = ox * w.stride_w - w.pad_left;
        const int32_t x_begin = x0 < 0 ? 0 : x0;
        const int32_t x_end = x0 + w.filter_w < w.in_w ? x0 + w.filter_w : w.in_w;
        const ValidWindow v = {
            image + y_begin * row_step + static_cast<ptrdiff_t>(x_begin) * w.in_c, y_end - y_begin,
            x_end - x_begin, row_step};
        pixel(v, out);
        out += w.in_c;
      }
    }
  }
}

// The reference's rounding (half away from zero) and clamp.
inline int8_t Average(int32_t sum, int32_t count, int32_t lo, int32_t hi) {
  const int32_t q = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
  return reference::ClampTo<int8_t>(q, lo, hi);
}

// Per int8 lane: max(a, b) and min(a, b). SSUB8 sets the GE flag of each
// lane where a >= b, SEL picks by it; one asm block, so nothing can come
// between the two and the flags.
inline int32_t MaxInt8x4(int32_t a, int32_t b) {
  int32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}
inline int32_t MinInt8x4(int32_t a, int32_t b) {
  int32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %2, %1" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}

inline int32_t Broadcast4(int32_t v) {
  return static_cast<int32_t>(static_cast<uint8_t>(v) * 0x01010101u);
}

// Positions of one window, row by row: `rows` runs of `cols`
// positions `step` apart, runs `row_step` apart. A window spanning whole
// input rows is one run: its positions are evenly spaced.
template <typename Visit>
inline void ForEachPosition(const ValidWindow& v, ptrdiff_t step, const int8_t* base, Visit visit) {
  int32_t rows = v.rows;
  ptrdiff_t run = static_cast<ptrdiff_t>(v.cols) * step;
  if (run == v.row_step) {
    run *= rows;
    rows = 1;
  }
  const int8_t* row = base;
  for (int32_t y = 0; y < rows; ++y, row += v.row_step) {
    for (const int8_t* p = row; p != row + run; p += step) visit(p);
  }
}

// kWords words of four channels from `base`: int16-lane sums (even lanes:
// channels 4k and 4k + 2; odd: 4k + 1 and 4k + 3), finished into `out`.
template <int kWords>
inline void AverageWords(const ValidWindow& v, ptrdiff_t step, const int8_t* base, int32_t count,
                         int32_t lo, int32_t hi, int8_t* out) {
  int32_t even[kWords] = {};
  int32_t odd[kWords] = {};
  ForEachPosition(v, step, base, [&](const int8_t* p) {
    for (int k = 0; k < kWords; ++k) {
      const int32_t word = LoadInt8x4(p + 4 * k);
      even[k] = SignExtendEvenAdd(even[k], word);
      odd[k] = SignExtendOddAdd(odd[k], word);
    }
  });
  for (int k = 0; k < kWords; ++k) {
    out[4 * k] = Average(static_cast<int16_t>(even[k]), count, lo, hi);
    out[4 * k + 1] = Average(static_cast<int16_t>(odd[k]), count, lo, hi);
    out[4 * k + 2] = Average(even[k] >> 16, count, lo, hi);
    out[4 * k + 3] = Average(odd[k] >> 16, count, lo, hi);
  }
}

template <int kWords>
inline void MaxWords(const ValidWindow& v, ptrdiff_t step, const int8_t* base, int32_t lo4,
                     int32_t hi4, int8_t* out) {
  int32_t max[kWords];
  for (int k = 0; k < kWords; ++k) max[k] = static_cast<int32_t>(0x80808080u);  // -128 lanes
  ForEachPosition(v, step, base, [&](const int8_t* p) {
    for (int k = 0; k < kWords; ++k) max[k] = MaxInt8x4(max[k], LoadInt8x4(p + 4 * k));
  });
  for (int k = 0; k < kWords; ++k) {
    const int32_t clamped = MinInt8x4(MaxInt8x4(max[k], lo4), hi4);
    memcpy(out + 4 * k, &clamped, sizeof clamped);
  }
}

}  // namespace

void AveragePoolInt8(const Window2D& w, int32_t activation_min, int32_t activation_max,
                     const int8_t* input, int8_t* output) {
  const ptrdiff_t step = w.in_c;
  ForEachPixel(w, input, output, [&](const ValidWindow& v, int8_t* out) {
    const int32_t count = v.rows * v.cols;
    int32_t c = 0;
    // 256 * -128 and 256 * 127 still fit an int16 lane.
    if (count <= 256) {
      for (; c + 8 <= w.in_c; c += 8) {
        AverageWords<2>(v, step, v.origin + c, count, activation_min, activation_max, out + c);
      }
      for (; c + 4 <= w.in_c; c += 4) {
        AverageWords<1>(v, step, v.origin + c, count, activation_min, activation_max, out + c);
      }
    }
    for (; c < w.in_c; ++c) {
      int32_t sum = 0;
      ForEachPosition(v, step, v.origin + c, [&](const int8_t* p) { sum += *p; });
      out[c] = Average(sum, count, activation_min, activation_max);
    }
  });
}

// The lane-wise max-then-min is the reference's clamp because the loader
// keeps activation_min <= activation_max, both inside int8.
void MaxPoolInt8(const Window2D& w, int32_t activation_min, int32_t activation_max,
                 const int8_t* input, int8_t* output) {
  const ptrdiff_t step = w.in_c;
  const int32_t lo4 = Broadcast4(activation_min);
  const int32_t hi4 = Broadcast4(activation_max);
  ForEachPixel(w, input, output, [&](const ValidWindow& v, int8_t* out) {
    int32_t c = 0;
    for (; c + 8 <= w.in_c; c += 8) MaxWords<2>(v, step, v.origin + c, lo4, hi4, out + c);
    for (; c + 4 <= w.in_c; c += 4) MaxWords<1>(v, step, v.origin + c, lo4, hi4, out + c);
    for (; c < w.in_c; ++c) {
      int32_t max = -128;
      ForEachPosition(v, step, v.origin + c, [&](const int8_t* p) {
        if (*p > max) max = *p;
      });
      out[c] = reference::ClampTo<int8_t>(max, activation_min, activation_max);
    }
  });
}

}  // namespace mote::cortex_m_dsp
