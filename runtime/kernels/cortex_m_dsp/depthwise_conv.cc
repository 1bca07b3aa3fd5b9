#include "kernels/cortex_m_dsp/depthwise_conv.h"

#include <stddef.h>

#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_dsp/simd.h"
#include "kernels/cortex_m_dsp/window_taps.h"
#include "kernels/reference/depthwise_conv.h"

namespace mote::cortex_m_dsp {
namespace {

// Four adjacent channels' accumulators.
struct Acc4 {
  int32_t c0, c1, c2, c3;
};

// acc.c_i += (x_i + offset) * f_i for the four int8 lanes of x and f.
inline void MultiplyAdd4(int32_t x, int32_t f, int32_t offset_pair, Acc4& acc) {
  const int32_t xe = SignExtendEvenAdd(offset_pair, x);  // (x0, x2)
  const int32_t xo = SignExtendOddAdd(offset_pair, x);   // (x1, x3)
  const int32_t fe = SignExtendEven(f);
  const int32_t fo = SignExtendOdd(f);
  acc.c0 = __smlabb(xe, fe, acc.c0);
  acc.c2 = __smlatt(xe, fe, acc.c2);
  acc.c1 = __smlabb(xo, fo, acc.c1);
  acc.c3 = __smlatt(xo, fo, acc.c3);
}

// The in-bounds taps of one output pixel.
struct PixelTaps {
  const int8_t* image;  // this batch's input
  ptrdiff_t origin;     // index of tap (0, 0), channel 0; may lie outside
  TapRange ky, kx;
};

// Channels c .. c + 3 over taps [ky.first, ky.end) x [kx.first, kx.end).
Acc4 SumTaps4(const Window2D& w, const PixelTaps& t, const int8_t* filter, int32_t c,
              int32_t offset_pair) {
  const ptrdiff_t step_y = static_cast<ptrdiff_t>(w.dilation_h) * w.in_w * w.in_c;
  const ptrdiff_t step_x = static_cast<ptrdiff_t>(w.dilation_w) * w.in_c;
  Acc4 acc = {0, 0, 0, 0};
  for (int32_t ky = t.ky.first; ky < t.ky.end; ++ky) {
    const int8_t* in = t.image + (t.origin + ky * step_y + t.kx.first * step_x + c);
    const int8_t* f = filter + (static_cast<size_t>(ky) * w.filter_w + t.kx.first) * w.out_c + c;
    for (int32_t kx = t.kx.first; kx < t.kx.end; ++kx) {
      MultiplyAdd4(LoadInt8x4(in), LoadInt8x4(f), offset_pair, acc);
      in += step_x;
      f += w.out_c;
    }
  }
  return acc;
}

// The same for a 3x3 window with all nine taps inside the input.
Acc4 SumTaps4Full3x3(const Window2D& w, const int8_t* origin, const int8_t* filter, int32_t c,
                     int32_t offset_pair) {
  const ptrdiff_t step_y = static_cast<ptrdiff_t>(w.dilation_h) * w.in_w * w.in_c;
  const ptrdiff_t step_x = static_cast<ptrdiff_t>(w.dilation_w) * w.in_c;
  const ptrdiff_t f_step = w.out_c;
  Acc4 acc = {0, 0, 0, 0};
  const int8_t* in = origin + c;
  const int8_t* f = filter + c;
  for (int ky = 0; ky < 3; ++ky) {
    MultiplyAdd4(LoadInt8x4(in), LoadInt8x4(f), offset_pair, acc);
    MultiplyAdd4(LoadInt8x4(in + step_x), LoadInt8x4(f + f_step), offset_pair, acc);
    MultiplyAdd4(LoadInt8x4(in + 2 * step_x), LoadInt8x4(f + 2 * f_step), offset_pair, acc);
    in += step_y;
    f += 3 * f_step;
  }
  return acc;
}

int32_t SumTaps1(const Window2D& w, const PixelTaps& t, const int8_t* filter, int32_t c,
                 int32_t offset) {
  int32_t acc = 0;
  for (int32_t ky = t.ky.first; ky < t.ky.end; ++ky) {
    for (int32_t kx = t.kx.first; kx < t.kx.end; ++kx) {
      const int8_t x = t.image[t.origin + (static_cast<ptrdiff_t>(ky) * w.dilation_h * w.in_w +
                                 static_cast<ptrdiff_t>(kx) * w.dilation_w) * w.in_c + c];
      acc += (x + offset) * filter[(static_cast<size_t>(ky) * w.filter_w + kx) * w.out_c + c];
    }
  }
  return acc;
}

inline int8_t Finish(const PerChannelParams& p, const int32_t* bias, int32_t c, int32_t acc) {
  if (bias != nullptr) acc += bias[c];
  return RequantizeInt8(acc, p.multiplier[c], p.shift[c], p.output_offset, p.activation_min,
                        p.activation_max);
}

void DepthwisePixel(const Window2D& w, const PerChannelParams& p, const PixelTaps& t,
                    const int8_t* filter, const int32_t* bias, int8_t* out) {
  const int32_t offset_pair = OffsetPair(p.input_offset);
  const bool full3x3 = w.filter_h == 3 && w.filter_w == 3 && t.ky.first == 0 &&
                       t.ky.end == 3 && t.kx.first == 0 && t.kx.end == 3;
  const bool empty = t.ky.end <= t.ky.first || t.kx.end <= t.kx.first;
  int32_t c = 0;
  for (; c + 4 <= w.out_c; c += 4) {
    Acc4 acc = {0, 0, 0, 0};
    if (full3x3) {
      acc = SumTaps4Full3x3(w, t.image + t.origin, filter, c, offset_pair);
    } else if (!empty) {
      acc = SumTaps4(w, t, filter, c, offset_pair);
    }
    out[c] = Finish(p, bias, c, acc.c0);
    out[c + 1] = Finish(p, bias, c + 1, acc.c1);
    out[c + 2] = Finish(p, bias, c + 2, acc.c2);
    out[c + 3] = Finish(p, bias, c + 3, acc.c3);
  }
  for (; c < w.out_c; ++c) {
    out[c] = Finish(p, bias, c, empty ? 0 : SumTaps1(w, t, filter, c, p.input_offset));
  }
}

}  // namespace

void DepthwiseConv2DInt8(const Window2D& w, int32_t depth_multiplier,
                         const PerChannelParams& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output) {
  if (depth_multiplier != 1) {
    reference::DepthwiseConv2DInt8(w, depth_multiplier, params, input, filter, bias, output);
    return;
  }
  int8_t* out = output;
  for (int32_t b = 0; b < w.batches; ++b) {
    const int8_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    for (int32_t oy = 0; oy < w.out_h; ++oy) {
      const int32_t y0 = oy * w.stride_h - w.pad_top;
      const TapRange ky = ValidTaps(y0, w.dilation_h, w.in_h, w.filter_h);
      for (int32_t ox = 0; ox < w.out_w; ++ox) {
        const int32_t x0 = ox * w.stride_w - w.pad_left;
        const PixelTaps t = {
            image, (static_cast<ptrdiff_t>(y0) * w.in_w + x0) * w.in_c, ky,
            ValidTaps(x0, w.dilation_w, w.in_w, w.filter_w)};
        DepthwisePixel(w, params, t, filter, bias, out);
        out += w.out_c;
      }
    }
  }
}

}  // namespace mote::cortex_m_dsp
