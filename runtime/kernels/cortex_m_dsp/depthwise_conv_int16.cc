#include "kernels/cortex_m_dsp/depthwise_conv_int16.h"

#include <arm_acle.h>
#include <stddef.h>
#include <string.h>

#include "kernels/cortex_m_dsp/dot_int16.h"
#include "kernels/cortex_m_dsp/simd.h"
#include "kernels/cortex_m_dsp/window_taps.h"
#include "kernels/reference/depthwise_conv.h"

namespace mote::cortex_m_dsp {
namespace {

using reference::PerChannelParams;
using reference::Window2D;

// Taps whose per-channel sums int32 holds (dot_int16.h).
constexpr int32_t kMaxTaps = 511;

inline int32_t LoadPair(const int16_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

// The in-bounds taps of one output pixel.
struct Taps {
  const int16_t* first;   // the input pixel of tap (ky.first, kx.first)
  const int8_t* filter;   // that tap's filter values
  int32_t rows, cols;     // in-bounds taps down and across
  size_t in_row, in_col;  // input elements from one tap to the next, down and across
  size_t f_row;           // filter values from one tap row to the next
};

// Sums of channels c .. c + 3: x0 * f0 and x2 * f2 from the even SXTB16
// lanes of the filter word, x1 * f1 and x3 * f3 from the odd ones.
void SumFour(const Taps& t, size_t c, size_t channels, int32_t* sums) {
  int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const int16_t* in_row = t.first + c;
  const int8_t* f_row = t.filter + c;
  for (int32_t y = 0; y < t.rows; ++y, in_row += t.in_row, f_row += t.f_row) {
    const int16_t* in = in_row;
    const int8_t* f = f_row;
    for (int32_t x = 0; x < t.cols; ++x, in += t.in_col, f += channels) {
      const int32_t x01 = LoadPair(in);
      const int32_t x23 = LoadPair(in + 2);
      const int32_t fw = LoadInt8x4(f);
      const int32_t fe = SignExtendEven(fw);
      const int32_t fo = SignExtendOdd(fw);
      s0 = __smlabb(x01, fe, s0);
      s1 = __smlatb(x01, fo, s1);
      s2 = __smlabt(x23, fe, s2);
      s3 = __smlatt(x23, fo, s3);
    }
  }
  sums[0] = s0;
  sums[1] = s1;
  sums[2] = s2;
  sums[3] = s3;
}

int32_t SumOne(const Taps& t, size_t c, size_t channels) {
  int32_t s = 0;
  for (int32_t y = 0; y < t.rows; ++y) {
    for (int32_t x = 0; x < t.cols; ++x) {
      s += t.first[y * t.in_row + x * t.in_col + c] * t.filter[y * t.f_row + x * channels + c];
    }
  }
  return s;
}

}  // namespace

void DepthwiseConv2DInt16(const Window2D& w, int32_t depth_multiplier,
                          const PerChannelParams& params, const int16_t* input,
                          const int8_t* filter, const int64_t* bias, int16_t* output) {
  if (depth_multiplier != 1 || w.filter_h * w.filter_w > kMaxTaps) {
    reference::DepthwiseConv2DInt16(w, depth_multiplier, params, input, filter, bias, output);
    return;
  }
  const size_t channels = static_cast<size_t>(w.in_c);
  const int32_t* multiplier = params.multiplier.data();
  const int8_t* shift = params.shift.data();
  const int32_t lo = params.activation_min;
  const int32_t hi = params.activation_max;
  int16_t* out = output;
  for (int32_t b = 0; b < w.batches; ++b) {
    const int16_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * channels;
    for (int32_t oy = 0; oy < w.out_h; ++oy) {
      const int32_t y0 = oy * w.stride_h - w.pad_top;
      const TapRange ky = ValidTaps(y0, w.dilation_h, w.in_h, w.filter_h);
      for (int32_t ox = 0; ox < w.out_w; ++ox, out += channels) {
        const int32_t x0 = ox * w.stride_w - w.pad_left;
        const TapRange kx = ValidTaps(x0, w.dilation_w, w.in_w, w.filter_w);
        Taps t = {};
        if (ky.end > ky.first && kx.end > kx.first) {
          const size_t iy = static_cast<size_t>(y0 + ky.first * w.dilation_h);
          const size_t ix = static_cast<size_t>(x0 + kx.first * w.dilation_w);
          t = {image + (iy * w.in_w + ix) * channels,
               filter + (static_cast<size_t>(ky.first) * w.filter_w + kx.first) * channels,
               ky.end - ky.first,
               kx.end - kx.first,
               static_cast<size_t>(w.dilation_h) * w.in_w * channels,
               static_cast<size_t>(w.dilation_w) * channels,
               static_cast<size_t>(w.filter_w) * channels};
        }
        size_t c = 0;
        for (; c + 4 <= channels; c += 4) {
          int32_t sums[4];
          SumFour(t, c, channels, sums);
          for (size_t r = 0; r < 4; ++r) {
            out[c + r] = RequantizeInt16(sums[r], bias, c + r, multiplier, shift, 0, lo, hi);
          }
        }
        for (; c < channels; ++c) {
          out[c] = RequantizeInt16(SumOne(t, c, channels), bias, c, multiplier, shift, 0, lo, hi);
        }
      }
    }
  }
}

}  // namespace mote::cortex_m_dsp
