#include "kernels/cortex_m_dsp/conv_int16.h"

#include <stddef.h>
#include <string.h>

#include "kernels/cortex_m_dsp/dot_int16.h"
#include "kernels/cortex_m_dsp/dot_q15.h"
#include "kernels/cortex_m_dsp/window_taps.h"
#include "kernels/reference/conv.h"
#include "kernels/scratch.h"

namespace mote::cortex_m_dsp {
namespace {

using reference::PerChannelParams;
using reference::Window2D;

// The longest window the pair path takes: DotPairRows sums it in int32,
// which holds 511 products of int16 and int8 values (dot_int16.h).
constexpr size_t kMaxPairDepthInt16 = kernel_scratch::kDspMaxPairDepthInt16;

struct OutputStep {
  const int64_t* bias;
  const int32_t* multiplier;
  const int8_t* shift;
  int32_t lo, hi;

  int16_t operator()(int64_t acc, size_t c) const {
    return RequantizeInt16(acc, bias, c, multiplier, shift, 0, lo, hi);
  }
};

// Both pixels' outputs of channels c .. c + rows - 1 from their int32 sums
// (sums[2r], sums[2r + 1]), each channel's constants loaded once. The step's
// fields are copied to locals: GCC reloaded them after every int16 store.
void OutputRows(const OutputStep& step, const int32_t* sums, size_t c, size_t rows, int16_t* out_a,
                int16_t* out_b) {
  const int64_t* bias = step.bias;
  const int32_t* multiplier = step.multiplier + c;
  const int8_t* shift = step.shift + c;
  const int32_t lo = step.lo;
  const int32_t hi = step.hi;
  for (size_t r = 0; r < rows; ++r) {
    const int64_t b = bias != nullptr ? bias[c + r] : 0;
    const int32_t m = multiplier[r];
    const int s = shift[r];
    out_a[r] =
        reference::ClampTo<int16_t>(MultiplyByQuantizedMultiplier64(sums[2 * r] + b, m, s), lo, hi);
    out_b[r] = reference::ClampTo<int16_t>(
        MultiplyByQuantizedMultiplier64(sums[2 * r + 1] + b, m, s), lo, hi);
  }
}

// The input pixel of tap (ky, kx) of output pixel p, or null in the padding.
const int16_t* TapInput(const Window2D& w, const int16_t* image, int32_t p, int32_t ky,
                        int32_t kx) {
  const int32_t iy = p / w.out_w * w.stride_h - w.pad_top + ky * w.dilation_h;
  const int32_t ix = p % w.out_w * w.stride_w - w.pad_left + kx * w.dilation_w;
  if (iy < 0 || iy >= w.in_h || ix < 0 || ix >= w.in_w) return nullptr;
  return image + (static_cast<size_t>(iy) * w.in_w + ix) * w.in_c;
}

inline int32_t LoadPair(const int16_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

inline void StorePair(int16_t* p, int32_t v) { memcpy(p, &v, sizeof v); }

// Two pixels' windows in the filter's [kh][kw][in_c] order, rearranged as
// WidenPair lays out its int16 lanes (dot_q15.h): per block of four values
// the words (x0, x2) and (x1, x3) of a, then of b; the depth % 4 last values
// of a, then of b. Taps in the padding give 0, as the reference's skipped
// taps. Whole words when in_c % 4 == 0 (no block straddles two taps).
void ArrangeWindowPair(const Window2D& w, const int16_t* image, int32_t pa, int32_t pb,
                       int16_t* out) {
  const size_t in_c = static_cast<size_t>(w.in_c);
  const size_t depth = static_cast<size_t>(w.filter_h) * w.filter_w * in_c;
  const size_t body = depth & ~size_t{3};
  const size_t tail = depth & 3;
  size_t i = 0;  // the window index of the tap's first value
  for (int32_t ky = 0; ky < w.filter_h; ++ky) {
    for (int32_t kx = 0; kx < w.filter_w; ++kx, i += in_c) {
      const int16_t* a = TapInput(w, image, pa, ky, kx);
      const int16_t* b = TapInput(w, image, pb, ky, kx);
      if (in_c % 4 == 0) {
        int16_t* o = out + 2 * i;
        for (size_t c = 0; c < in_c; c += 4, o += 8) {
          const int32_t a01 = a != nullptr ? LoadPair(a + c) : 0;
          const int32_t a23 = a != nullptr ? LoadPair(a + c + 2) : 0;
          const int32_t b01 = b != nullptr ? LoadPair(b + c) : 0;
          const int32_t b23 = b != nullptr ? LoadPair(b + c + 2) : 0;
          StorePair(o, EvenLanes(a01, a23));
          StorePair(o + 2, OddLanes(a01, a23));
          StorePair(o + 4, EvenLanes(b01, b23));
          StorePair(o + 6, OddLanes(b01, b23));
        }
        continue;
      }
      for (size_t c = 0; c < in_c; ++c) {
        const size_t k = i + c;
        const int16_t va = a != nullptr ? a[c] : 0;
        const int16_t vb = b != nullptr ? b[c] : 0;
        if (k < body) {
          static constexpr uint8_t kLane[4] = {0, 2, 1, 3};
          int16_t* o = out + 2 * (k & ~size_t{3}) + kLane[k & 3];
          o[0] = va;
          o[4] = vb;
        } else {
          out[body + k] = va;  // 2 * body + (k - body)
          out[body + k + tail] = vb;
        }
      }
    }
  }
}

// One output pixel: the in-bounds runs of its window straight from the
// input, four output channels at a time.
void ConvPixel(const Window2D& w, const OutputStep& step, const int16_t* image, int32_t p,
               const int8_t* filter, int16_t* out) {
  const size_t in_c = static_cast<size_t>(w.in_c);
  const size_t filter_size = static_cast<size_t>(w.filter_h) * w.filter_w * in_c;
  const int32_t y0 = p / w.out_w * w.stride_h - w.pad_top;
  const int32_t x0 = p % w.out_w * w.stride_w - w.pad_left;
  const TapRange ky = ValidTaps(y0, w.dilation_h, w.in_h, w.filter_h);
  const TapRange kx = ValidTaps(x0, w.dilation_w, w.in_w, w.filter_w);
  // One run per filter row when the row's taps are adjacent in the input.
  const bool contiguous = w.dilation_w == 1;
  const size_t run = contiguous ? static_cast<size_t>(kx.end - kx.first) * in_c : in_c;
  const int32_t runs = contiguous ? 1 : kx.end - kx.first;
  const size_t out_c = static_cast<size_t>(w.out_c);
  for (size_t oc = 0; oc < out_c;) {
    const bool four = oc + 4 <= out_c;
    int64_t acc[4] = {0, 0, 0, 0};
    const int8_t* f = filter + oc * filter_size;
    for (int32_t y = ky.first; y < ky.end && kx.end > kx.first; ++y) {
      for (int32_t k = 0; k < runs; ++k) {
        const int32_t x = kx.first + k;
        const int16_t* in = image + (static_cast<size_t>(y0 + y * w.dilation_h) * w.in_w +
                                     static_cast<size_t>(x0 + x * w.dilation_w)) *
                                        in_c;
        const int8_t* fx = f + (static_cast<size_t>(y) * w.filter_w + x) * in_c;
        if (four) {
          Dot4Int16(in, fx, filter_size, run, acc);
        } else {
          acc[0] = Dot1Int16(in, fx, run, acc[0]);
        }
      }
    }
    const size_t n = four ? 4 : 1;
    for (size_t r = 0; r < n; ++r) out[oc + r] = step(acc[r], oc + r);
    oc += n;
  }
}

// Two output pixels at a time: their windows arranged once (into the
// scratch, 2 * depth + 2 int16 values), then every output channel two at a
// time. Out of line, so that the other path does not carry its frame.
__attribute__((noinline)) void ConvPairs(const Window2D& w, const OutputStep& step,
                                         const int16_t* input, const int8_t* filter,
                                         int16_t* output, int16_t* arranged) {
  const size_t depth = static_cast<size_t>(w.filter_h) * w.filter_w * w.in_c;
  const size_t out_c = static_cast<size_t>(w.out_c);
  const int32_t pixels = w.out_h * w.out_w;
  constexpr size_t kChunk = 32;              // channels summed before their outputs
  static const int32_t kZeros[kChunk] = {};  // DotPairRows' biases: added in int64 after
  int32_t sums[2 * kChunk];
  for (int32_t b = 0; b < w.batches; ++b) {
    const int16_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    int16_t* out = output + static_cast<size_t>(b) * pixels * out_c;
    int32_t p = 0;
    for (; p + 2 <= pixels; p += 2, out += 2 * out_c) {
      ArrangeWindowPair(w, image, p, p + 1, arranged);
      size_t c = 0;
      while (c + 2 <= out_c) {
        const size_t rows = (out_c - c > kChunk ? kChunk : out_c - c) & ~size_t{1};
        DotPairRows(arranged, filter + c * depth, depth, rows, kZeros, sums);
        OutputRows(step, sums, c, rows, out + c, out + out_c + c);
        c += rows;
      }
      if (c < out_c) {
        int32_t acc[2] = {0, 0};
        DotPairRow1(arranged, filter + c * depth, depth, acc);
        out[c] = step(acc[0], c);
        out[out_c + c] = step(acc[1], c);
      }
    }
    if (p < pixels) ConvPixel(w, step, image, p, filter, out);
  }
}

// Larger windows: pixel by pixel. Out of line, as ConvPairs.
__attribute__((noinline)) void ConvPixels(const Window2D& w, const OutputStep& step,
                                          const int16_t* input, const int8_t* filter,
                                          int16_t* output) {
  const int32_t pixels = w.out_h * w.out_w;
  int16_t* out = output;
  for (int32_t b = 0; b < w.batches; ++b) {
    const int16_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    for (int32_t p = 0; p < pixels; ++p, out += w.out_c) ConvPixel(w, step, image, p, filter, out);
  }
}

}  // namespace

void Conv2DInt16(const Window2D& w, int32_t groups, const PerChannelParams& params,
                 const int16_t* input, const int8_t* filter, const int64_t* bias, int16_t* output,
                 std::span<uint8_t> scratch) {
  if (groups != 1) {
    reference::Conv2DInt16(w, groups, params, input, filter, bias, output, scratch);
    return;
  }
  const OutputStep step = {bias, params.multiplier.data(), params.shift.data(),
                           params.activation_min, params.activation_max};
  const size_t depth = static_cast<size_t>(w.filter_h) * w.filter_w * w.in_c;
  const size_t needed = kernel_scratch::DspConv2DInt16Bytes(w, groups);
  if (depth <= kMaxPairDepthInt16 && needed != 0 && scratch.size() >= needed) {
    ConvPairs(w, step, input, filter, output, reinterpret_cast<int16_t*>(scratch.data()));
  } else {  // larger windows, one pixel per image, or too little scratch
    ConvPixels(w, step, input, filter, output);
  }
}

}  // namespace mote::cortex_m_dsp
