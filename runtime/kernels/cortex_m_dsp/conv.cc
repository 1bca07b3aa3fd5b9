#include "kernels/cortex_m_dsp/conv.h"

#include <stddef.h>
#include <string.h>

#include "kernels/cortex_m_dsp/channel_outputs.h"
#include "kernels/cortex_m_dsp/dot.h"
#include "kernels/cortex_m_dsp/dot_q15.h"
#include "kernels/cortex_m_dsp/fully_connected.h"
#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_dsp/simd.h"
#include "kernels/cortex_m_dsp/window_taps.h"
#include "kernels/paths.h"
#include "kernels/reference/conv.h"
#include "kernels/scratch.h"

namespace mote::cortex_m_dsp {
namespace {

using kernel_paths::kHave;

// The in-bounds taps of one output pixel: rows [ky.first, ky.end), and per
// row either one run of (kx.end - kx.first) * in_c values (dilation_w == 1)
// or one run of in_c values per tap.
struct PixelTaps {
  const int8_t* image;  // this batch's input
  int32_t y0, x0;       // input position of tap (0, 0)
  TapRange ky, kx;
};

// acc[r] += the taps' sum for output channels oc .. oc + R - 1 (R = 4 or 1).
template <int R>
void SumTaps(const Window2D& w, const PixelTaps& t, const int8_t* filter, size_t filter_size,
             int32_t offset, int32_t offset_pair, int32_t* acc) {
  if (t.kx.end <= t.kx.first) return;  // every tap in the padding
  const size_t in_c = static_cast<size_t>(w.in_c);
  const bool contiguous = w.dilation_w == 1;
  const size_t run = contiguous ? static_cast<size_t>(t.kx.end - t.kx.first) * in_c : in_c;
  const int32_t runs = contiguous ? 1 : t.kx.end - t.kx.first;
  for (int32_t ky = t.ky.first; ky < t.ky.end; ++ky) {
    const int32_t iy = t.y0 + ky * w.dilation_h;
    for (int32_t k = 0; k < runs; ++k) {
      const int32_t kx = t.kx.first + k;
      const int32_t ix = t.x0 + kx * w.dilation_w;
      const int8_t* in = t.image + (static_cast<size_t>(iy) * w.in_w + ix) * in_c;
      const int8_t* f = filter + (static_cast<size_t>(ky) * w.filter_w + kx) * in_c;
      if constexpr (R == 4) {
        Dot4(in, f, filter_size, run, offset, offset_pair, acc);
      } else {
        acc[0] = Dot1(in, f, run, offset, offset_pair, acc[0]);
      }
    }
  }
}

void ConvPixel(const Window2D& w, const PerChannelParams& p, const PixelTaps& t,
               const int8_t* filter, const int32_t* bias, int8_t* out) {
  const size_t filter_size = static_cast<size_t>(w.filter_h) * w.filter_w * w.in_c;
  const int32_t offset_pair = OffsetPair(p.input_offset);
  int32_t oc = 0;
  for (; oc + 4 <= w.out_c; oc += 4) {
    int32_t acc[4];
    for (int r = 0; r < 4; ++r) acc[r] = bias != nullptr ? bias[oc + r] : 0;
    SumTaps<4>(w, t, filter + oc * filter_size, filter_size, p.input_offset, offset_pair, acc);
    for (int r = 0; r < 4; ++r) {
      out[oc + r] = RequantizeInt8(acc[r], p.multiplier[oc + r], p.shift[oc + r],
                                   p.output_offset, p.activation_min, p.activation_max);
    }
  }
  for (; oc < w.out_c; ++oc) {
    int32_t acc = bias != nullptr ? bias[oc] : 0;
    SumTaps<1>(w, t, filter + oc * filter_size, filter_size, p.input_offset, offset_pair, &acc);
    out[oc] = RequantizeInt8(acc, p.multiplier[oc], p.shift[oc], p.output_offset,
                             p.activation_min, p.activation_max);
  }
}

// Short copies and fills inline, a word at a time (the M4/M7/M33/M55 allow
// unaligned LDR/STR): a window row is often a handful of bytes, and a libc
// call per row cost more than the copy.
inline void CopyBytes(int8_t* dst, const int8_t* src, size_t n) {
  for (; n >= 4; n -= 4, dst += 4, src += 4) {
    uint32_t v;
    memcpy(&v, src, 4);
    memcpy(dst, &v, 4);
  }
  for (; n != 0; --n) *dst++ = *src++;
}

inline void FillBytes(int8_t* dst, uint32_t pattern, size_t n) {
  for (; n >= 4; n -= 4, dst += 4) memcpy(dst, &pattern, 4);
  for (; n != 0; --n) *dst++ = static_cast<int8_t>(pattern);
}

// The int8 input values one output pixel's window covers, in the filter's
// [kh][kw][in_c] order; taps in the padding get the zero point (`pad`, the
// byte repeated in each lane), which the input offset turns into 0, as the
// reference's skipped taps.
void GatherPatch(const Window2D& w, const int8_t* image, int32_t oy, int32_t ox, uint32_t pad,
                 int8_t* patch) {
  const size_t in_c = static_cast<size_t>(w.in_c);
  const size_t row = static_cast<size_t>(w.filter_w) * in_c;
  const int32_t y0 = oy * w.stride_h - w.pad_top;
  const int32_t x0 = ox * w.stride_w - w.pad_left;
  if (w.dilation_h == 1 && w.dilation_w == 1 && y0 >= 0 && x0 >= 0 &&
      y0 + w.filter_h <= w.in_h && x0 + w.filter_w <= w.in_w) {
    // Inside the image (most pixels): one run per filter row.
    const int8_t* src = image + (static_cast<size_t>(y0) * w.in_w + x0) * in_c;
    const size_t line = static_cast<size_t>(w.in_w) * in_c;
    for (int32_t y = 0; y < w.filter_h; ++y, patch += row, src += line) CopyBytes(patch, src, row);
    return;
  }
  const TapRange ky = ValidTaps(y0, w.dilation_h, w.in_h, w.filter_h);
  const TapRange kx = ValidTaps(x0, w.dilation_w, w.in_w, w.filter_w);
  const bool any_x = kx.end > kx.first;
  for (int32_t y = 0; y < w.filter_h; ++y, patch += row) {
    if (y < ky.first || y >= ky.end || !any_x) {
      FillBytes(patch, pad, row);
      continue;
    }
    const size_t line = static_cast<size_t>(y0 + y * w.dilation_h) * w.in_w;
    FillBytes(patch, pad, static_cast<size_t>(kx.first) * in_c);
    if (w.dilation_w == 1) {
      CopyBytes(patch + kx.first * in_c, image + (line + x0 + kx.first) * in_c,
                static_cast<size_t>(kx.end - kx.first) * in_c);
    } else {
      for (int32_t k = kx.first; k < kx.end; ++k) {
        CopyBytes(patch + k * in_c, image + (line + x0 + k * w.dilation_w) * in_c, in_c);
      }
    }
    FillBytes(patch + kx.end * in_c, pad, static_cast<size_t>(w.filter_w - kx.end) * in_c);
  }
}

// Widens two output pixels' windows straight from the input, in the
// filter's [kh][kw][in_c] order, for in_c % 4 == 0 (so no block of four
// straddles two taps); taps in the padding become 0, as the reference's
// skipped taps.
void WidenWindowPair(const Window2D& w, const int8_t* image, int32_t pa, int32_t pb,
                     int32_t offset_pair, int16_t* out) {
  const int32_t ya = pa / w.out_w * w.stride_h - w.pad_top;
  const int32_t xa = pa % w.out_w * w.stride_w - w.pad_left;
  const int32_t yb = pb / w.out_w * w.stride_h - w.pad_top;
  const int32_t xb = pb % w.out_w * w.stride_w - w.pad_left;
  const size_t blocks = static_cast<size_t>(w.in_c) >> 2;
  int32_t* words = reinterpret_cast<int32_t*>(out);
  for (int32_t ky = 0; ky < w.filter_h; ++ky) {
    const int32_t iya = ya + ky * w.dilation_h;
    const int32_t iyb = yb + ky * w.dilation_h;
    for (int32_t kx = 0; kx < w.filter_w; ++kx) {
      const int32_t ixa = xa + kx * w.dilation_w;
      const int32_t ixb = xb + kx * w.dilation_w;
      const bool in_a = iya >= 0 && iya < w.in_h && ixa >= 0 && ixa < w.in_w;
      const bool in_b = iyb >= 0 && iyb < w.in_h && ixb >= 0 && ixb < w.in_w;
      const int8_t* a = in_a ? image + (static_cast<size_t>(iya) * w.in_w + ixa) * w.in_c : nullptr;
      const int8_t* b = in_b ? image + (static_cast<size_t>(iyb) * w.in_w + ixb) * w.in_c : nullptr;
      for (size_t k = 0; k < blocks; ++k, words += 4) {
        if (a != nullptr) {
          const int32_t v = LoadInt8x4(a + 4 * k);
          words[0] = SignExtendEvenAdd(offset_pair, v);
          words[1] = SignExtendOddAdd(offset_pair, v);
        } else {
          words[0] = words[1] = 0;
        }
        if (b != nullptr) {
          const int32_t v = LoadInt8x4(b + 4 * k);
          words[2] = SignExtendEvenAdd(offset_pair, v);
          words[3] = SignExtendOddAdd(offset_pair, v);
        } else {
          words[2] = words[3] = 0;
        }
      }
    }
  }
}

// Two output pixels at a time: their windows widened once (im2col in the
// op's arena scratch, kernel_scratch::DspConv2DInt8Bytes: 4 * depth bytes, then
// the gathered int8 windows when in_c % 4 != 0), then every output channel
// (PairOutputs).
__attribute__((noinline)) void ConvPatches(const Window2D& w, const PerChannelParams& params,
                                           const int8_t* input, const int8_t* filter,
                                           const int32_t* bias, int8_t* output, uint8_t* scratch) {
  const size_t depth = static_cast<size_t>(w.filter_h) * w.filter_w * w.in_c;
  const size_t out_c = static_cast<size_t>(w.out_c);
  const OutputQuant q = {FastChunks(depth, bias, params.shift.data(), out_c),
                         params.input_offset,     params.output_offset,
                         params.multiplier.data(), params.shift.data(),
                         params.activation_min,   params.activation_max};
  const int32_t offset_pair = OffsetPair(params.input_offset);
  const bool direct = w.in_c % 4 == 0;
  // The input zero point in every byte lane.
  const uint32_t pad = static_cast<uint8_t>(-params.input_offset) * 0x01010101u;
  // The scratch is 16-byte aligned, and 4 * depth keeps the patches
  // word-aligned.
  int16_t* const widened = reinterpret_cast<int16_t*>(scratch);
  int8_t* const patch_a = reinterpret_cast<int8_t*>(scratch + 4 * depth);
  int8_t* const patch_b = patch_a + (depth + 3) / 4 * 4;
  const int32_t pixels = w.out_h * w.out_w;
  for (int32_t b = 0; b < w.batches; ++b) {
    const int8_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    int8_t* out = output + static_cast<size_t>(b) * pixels * out_c;
    // Pixels two at a time. An odd last one takes its taps straight from
    // the input where the per-pixel path is built; else it is paired with
    // itself (its outputs written twice, at twice its MACs), so a build
    // without that path needs no one-pixel loop.
    constexpr bool kPixelTail = kHave<kernel_paths::kConvTaps>;
    const int32_t paired = kPixelTail ? pixels & ~1 : pixels;
    for (int32_t p = 0; p < paired; p += 2) {
      const int32_t p2 = kPixelTail || p + 1 < pixels ? p + 1 : p;
      int8_t* const out2 = out + (p2 - p) * static_cast<ptrdiff_t>(out_c);
      if (direct) {
        WidenWindowPair(w, image, p, p2, offset_pair, widened);
      } else {
        GatherPatch(w, image, p / w.out_w, p % w.out_w, pad, patch_a);
        GatherPatch(w, image, p2 / w.out_w, p2 % w.out_w, pad, patch_b);
        WidenPair(patch_a, patch_b, depth, params.input_offset, offset_pair, widened);
      }
      PairOutputs(widened, depth, filter, out_c, bias, q, out, out2);
      out += 2 * out_c;
    }
    if (kPixelTail && paired < pixels) {
      PixelTaps t;
      t.image = image;
      t.y0 = paired / w.out_w * w.stride_h - w.pad_top;
      t.x0 = paired % w.out_w * w.stride_w - w.pad_left;
      t.ky = ValidTaps(t.y0, w.dilation_h, w.in_h, w.filter_h);
      t.kx = ValidTaps(t.x0, w.dilation_w, w.in_w, w.filter_w);
      ConvPixel(w, params, t, filter, bias, out);
    }
  }
}

// Larger windows (or too little scratch for the pair path): per output
// pixel, the in-bounds input runs straight from the input. Out of line, so
// this path's frames and the others' never stack up.
__attribute__((noinline)) void ConvGeneral(const Window2D& w, const PerChannelParams& params,
                                           const int8_t* input, const int8_t* filter,
                                           const int32_t* bias, int8_t* output) {
  int8_t* out = output;
  for (int32_t b = 0; b < w.batches; ++b) {
    PixelTaps t;
    t.image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    for (int32_t oy = 0; oy < w.out_h; ++oy) {
      t.y0 = oy * w.stride_h - w.pad_top;
      t.ky = ValidTaps(t.y0, w.dilation_h, w.in_h, w.filter_h);
      for (int32_t ox = 0; ox < w.out_w; ++ox) {
        t.x0 = ox * w.stride_w - w.pad_left;
        t.kx = ValidTaps(t.x0, w.dilation_w, w.in_w, w.filter_w);
        ConvPixel(w, params, t, filter, bias, out);
        out += w.out_c;
      }
    }
  }
}

// A 1x1 stride-1 unpadded conv is one FullyConnected over all pixels.
void PointwiseAsFullyConnected(const Window2D& w, const PerChannelParams& params,
                               const int8_t* input, const int8_t* filter, const int32_t* bias,
                               int8_t* output, std::span<uint8_t> scratch) {
  const FullyConnectedShape shape = kernel_scratch::PointwiseShape(w);
  const QuantizedFcParams fc = {params.input_offset,   params.output_offset,
                                params.multiplier,     params.shift,
                                params.activation_min, params.activation_max};
  cortex_m_dsp::FullyConnectedInt8(shape, fc, input, filter, bias, output, scratch);
}

}  // namespace

void Conv2DInt8(const Window2D& w, int32_t groups, const PerChannelParams& params,
                const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output,
                std::span<uint8_t> scratch) {
  const uint32_t path = kernel_paths::Choose(kernel_paths::DspConv2DInt8(w, groups, scratch.size()),
                                             kernel_paths::kConvReference);
  constexpr uint32_t kPointwise =
      kernel_paths::kFullyConnectedPairs | kernel_paths::kFullyConnectedRows;
  if (kHave<kernel_paths::kConvReference> && path == kernel_paths::kConvReference) {
    reference::Conv2DInt8(w, groups, params, input, filter, bias, output, scratch);
  } else if ((kernel_paths::kBuilt & kPointwise) != 0 && (path & kPointwise) != 0) {
    PointwiseAsFullyConnected(w, params, input, filter, bias, output, scratch);
  } else if (kHave<kernel_paths::kConvPatches> && path == kernel_paths::kConvPatches) {
    ConvPatches(w, params, input, filter, bias, output, scratch.data());
  } else if (kHave<kernel_paths::kConvTaps> && path == kernel_paths::kConvTaps) {
    ConvGeneral(w, params, input, filter, bias, output);
  }
}

}  // namespace mote::cortex_m_dsp
