#include "kernels/cortex_m_mve/depthwise_conv.h"

#include <arm_mve.h>
#include <stddef.h>

#include "kernels/cortex_m_dsp/depthwise_conv.h"
#include "kernels/cortex_m_dsp/window_taps.h"
#include "kernels/cortex_m_mve/depthwise_3x3.h"
#include "kernels/cortex_m_mve/requantize.h"

namespace mote::cortex_m_mve {
namespace {

using cortex_m_dsp::TapRange;
using cortex_m_dsp::ValidTaps;

struct Context {
  const Window2D& w;
  const PerChannelParams& p;
  const int8_t* filter;
  const int32_t* bias;
  // For windows wholly inside the input: bias + input_offset * the sum of
  // the channel's weights over all taps (null when out_c is above
  // kMaxFoldedChannels), so those windows add no offset per tap.
  const int32_t* window_bias;
  bool vector_requantize;  // every shift <= 0 (requantize.h)
};

// The stack holds window_bias for up to this many channels (1 KB).
inline constexpr size_t kMaxFoldedChannels = 256;

// window_bias[c] for c < out_c, modulo 2^32 like the reference's sum (the
// loader bounds the true value, so every partial sum is exact mod 2^32).
void FoldOffset(const Window2D& w, const int8_t* filter, const int32_t* bias, int32_t offset,
                int32_t* window_bias) {
  const size_t out_c = static_cast<size_t>(w.out_c);
  const size_t taps = static_cast<size_t>(w.filter_h) * w.filter_w;
  for (size_t c = 0; c < out_c; c += 4) {
    const mve_pred16_t lanes = vctp32q(static_cast<uint32_t>(out_c - c));
    int32x4_t sum = vdupq_n_s32(0);
    for (size_t t = 0; t < taps; ++t)
      sum = vaddq_s32(sum, vldrbq_z_s32(filter + t * out_c + c, lanes));
    int32x4_t b = vmulq_n_s32(sum, offset);
    if (bias != nullptr) b = vaddq_s32(b, vldrwq_z_s32(bias + c, lanes));
    vstrwq_p_s32(window_bias + c, b, lanes);
  }
}

// ValidTaps without its divisions when every tap is inside (the common case).
inline TapRange Taps(int32_t origin, int32_t dilation, int32_t size, int32_t taps) {
  if (origin >= 0 && origin + (taps - 1) * dilation < size) return {0, taps};
  return ValidTaps(origin, dilation, size, taps);
}

// Channels are done kChunk at a time per pixel: their sums go to the stack
// (contiguous, so the requantization loads each channel's constants as one
// vector), then out.
inline constexpr size_t kChunk = 64;

// Channels [first, first + count) of one or two pixels (out_b null: one)
// from their sums (`bias`, ctx.bias or ctx.window_bias, not yet added).
void RequantizeChunk(const Context& ctx, const int32_t* bias, const int32_t* sum_a,
                     const int32_t* sum_b, size_t first, size_t count, int8_t* out_a,
                     int8_t* out_b) {
  const ChannelQuant q = {bias != nullptr ? bias + first : nullptr,
                          ctx.p.multiplier.data() + first,
                          ctx.p.shift.data() + first,
                          ctx.p.output_offset,
                          ctx.p.activation_min,
                          ctx.p.activation_max,
                          ctx.vector_requantize};
  RequantizeRows(q, count, sum_a, sum_b, out_a + first, out_b != nullptr ? out_b + first : nullptr);
}

// Eight channels' sums over rows x cols taps for P output pixels (1 or 2,
// next_pixel bytes apart in the input): `in` and `f` are tap (0, 0) of pixel
// 0 and its weights, at the first of the eight channels. Partial (fewer than
// eight channels left) loads under the `lanes` predicate; the full groups
// without, which saves a VPST per load.
// Without kAddOffset the sums are of x * w alone (window_bias adds the rest).
template <int P, bool kPartial, bool kAddOffset>
__attribute__((always_inline)) inline void SumTaps8(const int8_t* in, const int8_t* f, int32_t rows,
                                                    int32_t cols, ptrdiff_t step_y,
                                                    ptrdiff_t step_x, ptrdiff_t f_step_y,
                                                    ptrdiff_t f_step_x, ptrdiff_t next_pixel,
                                                    mve_pred16_t lanes, int16_t offset,
                                                    int32x4_t* even, int32x4_t* odd) {
  _Pragma("GCC unroll 2") for (int i = 0; i < P; ++i) even[i] = odd[i] = vdupq_n_s32(0);
  for (int32_t y = 0; y < rows; ++y, in += step_y, f += f_step_y) {
    const int8_t* xa = in;
    const int8_t* xb = in + next_pixel;
    const int8_t* ft = f;
    for (int32_t x = 0; x < cols; ++x, xa += step_x, xb += step_x, ft += f_step_x) {
      const int16x8_t fv = kPartial ? vldrbq_z_s16(ft, lanes) : vldrbq_s16(ft);
      // |x + offset| <= 255: exact in int16; lanes past the channels have f = 0.
      int16x8_t va = kPartial ? vldrbq_z_s16(xa, lanes) : vldrbq_s16(xa);
      if constexpr (kAddOffset) va = vaddq_n_s16(va, offset);
      even[0] = vaddq_s32(even[0], vmullbq_int_s16(va, fv));
      odd[0] = vaddq_s32(odd[0], vmulltq_int_s16(va, fv));
      if constexpr (P == 2) {
        int16x8_t vb = kPartial ? vldrbq_z_s16(xb, lanes) : vldrbq_s16(xb);
        if constexpr (kAddOffset) vb = vaddq_n_s16(vb, offset);
        even[1] = vaddq_s32(even[1], vmullbq_int_s16(vb, fv));
        odd[1] = vaddq_s32(odd[1], vmulltq_int_s16(vb, fv));
      }
    }
  }
}

// The common case of SumTaps8 written out: two pixels, eight channels, a
// 3x3 window wholly inside the input (offset folded). The nine taps' weights
// are out_c apart; GCC's own unrolled loop spilled accumulators, so this is
// assembly: per tap three loads, four VMULL and four VADD for 16 MACs
// (widening loads need low registers: "l").
inline void PairTaps3x3(const int8_t* pa, const int8_t* pb, const int8_t* f, ptrdiff_t step_x,
                        ptrdiff_t step_y, ptrdiff_t f_step, int32x4_t* even, int32x4_t* odd) {
  const ptrdiff_t skip = step_y - 3 * step_x;  // from a row's end to the next row
  int32x4_t e0, o0, e1, o1;
  __asm__ volatile(
      "vmov.i32 %q[e0], #0\n"
      "vmov.i32 %q[o0], #0\n"
      "vmov.i32 %q[e1], #0\n"
      "vmov.i32 %q[o1], #0\n"
      ".rept 3\n"
      ".rept 3\n"
      "vldrb.s16 q0, [%[f]]\n"
      "add %[f], %[f], %[f_step]\n"
      "vldrb.s16 q1, [%[pa]]\n"
      "add %[pa], %[pa], %[step_x]\n"
      "vldrb.s16 q2, [%[pb]]\n"
      "add %[pb], %[pb], %[step_x]\n"
      "vmullb.s16 q3, q1, q0\n"
      "vadd.i32 %q[e0], %q[e0], q3\n"
      "vmullt.s16 q3, q1, q0\n"
      "vadd.i32 %q[o0], %q[o0], q3\n"
      "vmullb.s16 q3, q2, q0\n"
      "vadd.i32 %q[e1], %q[e1], q3\n"
      "vmullt.s16 q3, q2, q0\n"
      "vadd.i32 %q[o1], %q[o1], q3\n"
      ".endr\n"
      "add %[pa], %[pa], %[skip]\n"
      "add %[pb], %[pb], %[skip]\n"
      ".endr\n"
      : [e0] "=&w"(e0), [o0] "=&w"(o0), [e1] "=&w"(e1), [o1] "=&w"(o1), [pa] "+l"(pa),
        [pb] "+l"(pb), [f] "+l"(f)
      : [step_x] "r"(step_x), [f_step] "r"(f_step), [skip] "r"(skip)
      : "q0", "q1", "q2", "q3", "memory");
  even[0] = e0;
  odd[0] = o0;
  even[1] = e1;
  odd[1] = o1;
}

// The same for channels [first, first + count): sums[i * kChunk + c - first].
template <int P>
void SumTaps(const int8_t* in, const int8_t* f, int32_t rows, int32_t cols, ptrdiff_t step_y,
             ptrdiff_t step_x, ptrdiff_t f_step_y, ptrdiff_t f_step_x, ptrdiff_t next_pixel,
             size_t count, bool add_offset, int16_t offset, int32_t* sums) {
  const uint32x4_t even_lanes = vidupq_n_u32(0, 2);  // 0 2 4 6
  for (size_t c = 0; c < count; c += 8) {
    int32x4_t even[P];
    int32x4_t odd[P];
    if (P == 2 && c + 8 <= count && !add_offset && rows == 3 && cols == 3 &&
        f_step_y == 3 * f_step_x) {
      PairTaps3x3(in + c, in + c + next_pixel, f + c, step_x, step_y, f_step_x, even, odd);
    } else if (c + 8 <= count && !add_offset) {
      SumTaps8<P, false, false>(in + c, f + c, rows, cols, step_y, step_x, f_step_y, f_step_x,
                                next_pixel, 0, offset, even, odd);
    } else if (c + 8 <= count) {
      SumTaps8<P, false, true>(in + c, f + c, rows, cols, step_y, step_x, f_step_y, f_step_x,
                               next_pixel, 0, offset, even, odd);
    } else if (!add_offset) {
      SumTaps8<P, true, false>(in + c, f + c, rows, cols, step_y, step_x, f_step_y, f_step_x,
                               next_pixel, vctp16q(static_cast<uint32_t>(count - c)), offset, even,
                               odd);
    } else {
      SumTaps8<P, true, true>(in + c, f + c, rows, cols, step_y, step_x, f_step_y, f_step_x,
                              next_pixel, vctp16q(static_cast<uint32_t>(count - c)), offset, even,
                              odd);
    }
    // Even and odd channels back in order (the array has room past count).
    _Pragma("GCC unroll 2") for (int i = 0; i < P; ++i) {
      vstrwq_scatter_shifted_offset_s32(sums + i * kChunk + c, even_lanes, even[i]);
      vstrwq_scatter_shifted_offset_s32(sums + i * kChunk + c + 1, even_lanes, odd[i]);
    }
  }
}

// P output pixels (1 or 2: the second next_pixel bytes further in the input
// and next_out in the output) with taps ky x kx, the same for both. `origin` is the input index of
// tap (0, 0) of the first pixel, channel 0 (it may lie outside the input; only in-bounds taps are
// read).
template <int P>
void DepthwisePixels(const Context& ctx, const int8_t* image, ptrdiff_t origin, TapRange ky,
                     TapRange kx, ptrdiff_t next_pixel, ptrdiff_t next_out, int8_t* out) {
  const Window2D& w = ctx.w;
  const ptrdiff_t step_y = static_cast<ptrdiff_t>(w.dilation_h) * w.in_w * w.in_c;
  const ptrdiff_t step_x = static_cast<ptrdiff_t>(w.dilation_w) * w.in_c;
  const size_t out_c = static_cast<size_t>(w.out_c);
  const int8_t* in = image + (origin + ky.first * step_y + kx.first * step_x);
  const int8_t* f = ctx.filter + (static_cast<size_t>(ky.first) * w.filter_w + kx.first) * out_c;
  const bool folded = ctx.window_bias != nullptr && ky.first == 0 && ky.end == w.filter_h &&
                      kx.first == 0 && kx.end == w.filter_w;
  const int32_t* bias = folded ? ctx.window_bias : ctx.bias;
  int32_t sums[P * kChunk + 8];
  for (size_t first = 0; first < out_c; first += kChunk) {
    const size_t count = out_c - first < kChunk ? out_c - first : kChunk;
    SumTaps<P>(in + first, f + first, ky.end - ky.first, kx.end - kx.first, step_y, step_x,
               static_cast<ptrdiff_t>(w.filter_w) * out_c, static_cast<ptrdiff_t>(out_c),
               next_pixel, count, !folded, static_cast<int16_t>(ctx.p.input_offset), sums);
    RequantizeChunk(ctx, bias, sums, P == 2 ? sums + kChunk : nullptr, first, count, out,
                    P == 2 ? out + next_out : nullptr);
  }
}

// Any window, eight channels per vector. Out of line: its stack is not
// under the 3x3 path's.
__attribute__((noinline)) void DepthwiseAnyWindow(const Window2D& window,
                                                  const PerChannelParams& params,
                                                  const int8_t* input, const int8_t* filter,
                                                  const int32_t* bias, int8_t* output) {
  // A local copy: the output stores could alias the caller's, which made
  // GCC reload every field for every pixel.
  const Window2D w = window;
  const size_t out_c = static_cast<size_t>(w.out_c);
  int32_t window_bias[kMaxFoldedChannels];
  const bool fold = out_c <= kMaxFoldedChannels;
  if (fold) FoldOffset(w, filter, bias, params.input_offset, window_bias);
  const Context ctx = {w,
                       params,
                       filter,
                       bias,
                       fold ? window_bias : nullptr,
                       RightShiftsOnly(params.shift.data(), out_c)};
  const ptrdiff_t next_x = static_cast<ptrdiff_t>(w.stride_w) * w.in_c;
  const ptrdiff_t next_y = static_cast<ptrdiff_t>(w.stride_h) * w.in_w * w.in_c;
  const ptrdiff_t out_row = static_cast<ptrdiff_t>(w.out_w) * w.out_c;
  for (int32_t b = 0; b < w.batches; ++b) {
    const int8_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    int8_t* out_image = output + static_cast<size_t>(b) * w.out_h * out_row;
    int32_t oy = 0;
    while (oy < w.out_h) {
      const int32_t y0 = oy * w.stride_h - w.pad_top;
      const TapRange ky = Taps(y0, w.dilation_h, w.in_h, w.filter_h);
      const ptrdiff_t row = static_cast<ptrdiff_t>(y0) * w.in_w;
      int8_t* out = out_image + oy * out_row;
      // Two rows whose windows cover the same filter rows: every column of
      // them as a vertical pair (narrow images have few horizontal ones).
      bool rows_paired = false;
      if (oy + 1 < w.out_h && ky.end > ky.first) {
        const TapRange below = Taps(y0 + w.stride_h, w.dilation_h, w.in_h, w.filter_h);
        rows_paired = below.first == ky.first && below.end == ky.end;
      }
      int32_t ox = 0;
      while (ox < w.out_w) {
        const int32_t x0 = ox * w.stride_w - w.pad_left;
        const TapRange kx = Taps(x0, w.dilation_w, w.in_w, w.filter_w);
        const ptrdiff_t origin = (row + x0) * w.in_c;
        bool pair = false;
        if (!rows_paired && ox + 1 < w.out_w && kx.first == 0 && kx.end == w.filter_w) {
          const TapRange next = Taps(x0 + w.stride_w, w.dilation_w, w.in_w, w.filter_w);
          pair = next.first == 0 && next.end == w.filter_w;
        }
        if (ky.end <= ky.first || kx.end <= kx.first) {
          // Every tap in the padding: the sums are 0 (both rows, if paired).
          const int32_t zeros[kChunk] = {};
          for (size_t first = 0; first < out_c; first += kChunk) {
            RequantizeChunk(ctx, bias, zeros, zeros, first,
                            out_c - first < kChunk ? out_c - first : kChunk, out,
                            rows_paired ? out + out_row : nullptr);
          }
          out += out_c;
          ++ox;
        } else if (rows_paired) {
          DepthwisePixels<2>(ctx, image, origin, ky, kx, next_y, out_row, out);
          out += out_c;
          ++ox;
        } else if (pair) {
          DepthwisePixels<2>(ctx, image, origin, ky, kx, next_x, static_cast<ptrdiff_t>(out_c),
                             out);
          out += 2 * out_c;
          ox += 2;
        } else {
          DepthwisePixels<1>(ctx, image, origin, ky, kx, 0, 0, out);
          out += out_c;
          ++ox;
        }
      }
      oy += rows_paired ? 2 : 1;
    }
  }
}

}  // namespace

void DepthwiseConv2DInt8(const Window2D& window, int32_t depth_multiplier,
                         const PerChannelParams& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output) {
  if (depth_multiplier != 1) {
    cortex_m_dsp::DepthwiseConv2DInt8(window, depth_multiplier, params, input, filter, bias,
                                      output);
  } else if (Depthwise3x3Fits(window, depth_multiplier, params)) {
    Depthwise3x3Int8(window, params, input, filter, bias, output);
  } else {
    DepthwiseAnyWindow(window, params, input, filter, bias, output);
  }
}

}  // namespace mote::cortex_m_mve
