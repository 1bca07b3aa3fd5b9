#include "kernels/cortex_m_mve/depthwise_conv.h"

#include <arm_mve.h>
#include <stddef.h>

#include "kernels/cortex_m_dsp/depthwise_conv.h"
#include "kernels/cortex_m_dsp/requantize.h"
#include "kernels/cortex_m_dsp/window_taps.h"
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
  bool vector_requantize;  // every shift <= 0 (requantize.h)
};

// Lanes i < 4 of one parity: channel c + 2 i + parity (even and odd
// channels come out of VMULLB and VMULLT in separate vectors), for the
// channels below c + rest. Per-channel constants are gathered with the same
// stride.
void FinishHalf(const Context& ctx, int32x4_t acc, size_t c, uint32_t rest, int8_t* out) {
  const uint32x4_t lane = vidupq_n_u32(0, 2);  // 0 2 4 6
  const mve_pred16_t valid = vcmphiq_u32(vdupq_n_u32(rest), lane);
  if (ctx.bias != nullptr) {
    acc = vaddq_s32(acc, vldrwq_gather_shifted_offset_z_s32(ctx.bias + c, lane, valid));
  }
  const int32x4_t m =
      vldrwq_gather_shifted_offset_z_s32(ctx.p.multiplier.data() + c, lane, valid);
  const int32x4_t s = vldrbq_gather_offset_z_s32(ctx.p.shift.data() + c, lane, valid);
  const int32x4_t r = Requantize4(acc, m, s, ctx.p.output_offset, ctx.p.activation_min,
                                  ctx.p.activation_max);
  vstrbq_scatter_offset_p_s32(out + c, lane, r, valid);
}

// out[c .. c + 7] (those below out_c) from the even and odd channels' sums.
void Finish8(const Context& ctx, int32x4_t even, int32x4_t odd, size_t c, int8_t* out) {
  const uint32_t rest = static_cast<uint32_t>(static_cast<size_t>(ctx.w.out_c) - c);
  if (ctx.vector_requantize) {
    FinishHalf(ctx, even, c, rest, out);
    if (rest > 1) FinishHalf(ctx, odd, c + 1, rest - 1, out);
    return;
  }
  int32_t sums[8];
  vstrwq_scatter_shifted_offset_s32(sums, vidupq_n_u32(0, 2), even);
  vstrwq_scatter_shifted_offset_s32(sums + 1, vidupq_n_u32(0, 2), odd);
  for (uint32_t i = 0; i < rest && i < 8; ++i) {
    const size_t ch = c + i;
    // Modulo 2^32, as the reference's sum: unsigned, so it is defined.
    const uint32_t b = ctx.bias != nullptr ? static_cast<uint32_t>(ctx.bias[ch]) : 0;
    out[ch] = cortex_m_dsp::RequantizeInt8(static_cast<int32_t>(static_cast<uint32_t>(sums[i]) + b),
                                           ctx.p.multiplier[ch], ctx.p.shift[ch],
                                           ctx.p.output_offset, ctx.p.activation_min,
                                           ctx.p.activation_max);
  }
}

// P output pixels (1 or 2, stride_w apart) of one row: taps ky x kx, the
// same for all P. `origin` is the input of tap (0, 0) of the first pixel,
// channel 0 (it may lie outside the input; only in-bounds taps are read).
template <int P>
void DepthwisePixels(const Context& ctx, const int8_t* image, ptrdiff_t origin, TapRange ky,
                     TapRange kx, int8_t* out) {
  const Window2D& w = ctx.w;
  const ptrdiff_t step_y = static_cast<ptrdiff_t>(w.dilation_h) * w.in_w * w.in_c;
  const ptrdiff_t step_x = static_cast<ptrdiff_t>(w.dilation_w) * w.in_c;
  const ptrdiff_t next_pixel = static_cast<ptrdiff_t>(w.stride_w) * w.in_c;
  const size_t out_c = static_cast<size_t>(w.out_c);
  const int16_t offset = static_cast<int16_t>(ctx.p.input_offset);
  for (size_t c = 0; c < out_c; c += 8) {
    const mve_pred16_t lanes = vctp16q(static_cast<uint32_t>(out_c - c));
    int32x4_t even[P];
    int32x4_t odd[P];
    _Pragma("GCC unroll 2") for (int i = 0; i < P; ++i) even[i] = odd[i] = vdupq_n_s32(0);
    for (int32_t y = ky.first; y < ky.end; ++y) {
      const int8_t* in = image + (origin + y * step_y + kx.first * step_x) + c;
      const int8_t* f = ctx.filter + (static_cast<size_t>(y) * w.filter_w + kx.first) * out_c + c;
      for (int32_t x = kx.first; x < kx.end; ++x, in += step_x, f += out_c) {
        const int16x8_t fv = vldrbq_z_s16(f, lanes);
        _Pragma("GCC unroll 2") for (int i = 0; i < P; ++i) {
          // |x + offset| <= 255: exact in int16; lanes past out_c have f = 0.
          const int16x8_t xv = vaddq_n_s16(vldrbq_z_s16(in + i * next_pixel, lanes), offset);
          even[i] = vaddq_s32(even[i], vmullbq_int_s16(xv, fv));
          odd[i] = vaddq_s32(odd[i], vmulltq_int_s16(xv, fv));
        }
      }
    }
    _Pragma("GCC unroll 2") for (int i = 0; i < P; ++i) {
      Finish8(ctx, even[i], odd[i], c, out + i * out_c);
    }
  }
}

}  // namespace

void DepthwiseConv2DInt8(const Window2D& w, int32_t depth_multiplier,
                         const PerChannelParams& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output) {
  if (depth_multiplier != 1) {
    cortex_m_dsp::DepthwiseConv2DInt8(w, depth_multiplier, params, input, filter, bias, output);
    return;
  }
  const Context ctx = {w, params, filter, bias,
                       RightShiftsOnly(params.shift.data(), static_cast<size_t>(w.out_c))};
  const size_t out_c = static_cast<size_t>(w.out_c);
  int8_t* out = output;
  for (int32_t b = 0; b < w.batches; ++b) {
    const int8_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * w.in_c;
    for (int32_t oy = 0; oy < w.out_h; ++oy) {
      const int32_t y0 = oy * w.stride_h - w.pad_top;
      const TapRange ky = ValidTaps(y0, w.dilation_h, w.in_h, w.filter_h);
      const ptrdiff_t row = static_cast<ptrdiff_t>(y0) * w.in_w;
      int32_t ox = 0;
      while (ox < w.out_w) {
        const int32_t x0 = ox * w.stride_w - w.pad_left;
        const TapRange kx = ValidTaps(x0, w.dilation_w, w.in_w, w.filter_w);
        const ptrdiff_t origin = (row + x0) * w.in_c;
        bool pair = false;
        if (ox + 1 < w.out_w && kx.first == 0 && kx.end == w.filter_w) {
          const TapRange next = ValidTaps(x0 + w.stride_w, w.dilation_w, w.in_w, w.filter_w);
          pair = next.first == 0 && next.end == w.filter_w;
        }
        if (ky.end <= ky.first || kx.end <= kx.first) {
          // Every tap in the padding: the sums are 0.
          for (size_t c = 0; c < out_c; c += 8) {
            Finish8(ctx, vdupq_n_s32(0), vdupq_n_s32(0), c, out);
          }
          out += out_c;
          ++ox;
        } else if (pair) {
          DepthwisePixels<2>(ctx, image, origin, ky, kx, out);
          out += 2 * out_c;
          ox += 2;
        } else {
          DepthwisePixels<1>(ctx, image, origin, ky, kx, out);
          out += out_c;
          ++ox;
        }
      }
    }
  }
}

}  // namespace mote::cortex_m_mve
