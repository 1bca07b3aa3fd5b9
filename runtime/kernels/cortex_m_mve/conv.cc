#include "kernels/cortex_m_mve/conv.h"

#include <arm_mve.h>
#include <stddef.h>

#include "kernels/cortex_m_dsp/conv.h"
#include "kernels/cortex_m_dsp/window_taps.h"
#include "kernels/cortex_m_mve/channel_outputs.h"
#include "kernels/scratch.h"

namespace mote::cortex_m_mve {
namespace {

using cortex_m_dsp::TapRange;
using cortex_m_dsp::ValidTaps;

using kernel_scratch::IsPointwise;

// Window rows are often a handful of bytes: a tail-predicated loop (WLSTP
// skips it for n == 0), no libc call.
inline void CopyBytes(int8_t* dst, const int8_t* src, size_t n) {
  __asm__ volatile(
      "wlstp.8 lr, %[n], 2f\n"
      "1:\n"
      "vldrb.8 q0, [%[src]], #16\n"
      "vstrb.8 q0, [%[dst]], #16\n"
      "letp lr, 1b\n"
      "2:\n"
      : [dst] "+r"(dst), [src] "+r"(src)
      : [n] "r"(n)
      : "q0", "lr", "memory");
}

inline void FillBytes(int8_t* dst, int8x16_t value, size_t n) {
  for (; n >= 16; n -= 16, dst += 16) vstrbq_s8(dst, value);
  if (n != 0) vstrbq_p_s8(dst, value, vctp8q(static_cast<uint32_t>(n)));
}

// A window with taps in the padding (or not made of row runs): gathered
// into `patch` in the filter's [kh][kw][in_c] order with the zero point
// (`pad`) at taps in the padding, which the input offset turns into 0, as
// the reference's skipped taps. Out of line: the interior needs none of it.
__attribute__((noinline)) void GatherPatch(const Window2D& w, const int8_t* image, int32_t y0,
                                           int32_t x0, int8x16_t pad, int8_t* patch) {
  const size_t in_c = static_cast<size_t>(w.in_c);
  const TapRange ky = ValidTaps(y0, w.dilation_h, w.in_h, w.filter_h);
  const TapRange kx = ValidTaps(x0, w.dilation_w, w.in_w, w.filter_w);
  const size_t row = static_cast<size_t>(w.filter_w) * in_c;
  // The zero point everywhere first, then the in-bounds runs over it: one
  // fill instead of one per padded stretch of every row.
  FillBytes(patch, pad, static_cast<size_t>(w.filter_h) * row);
  if (kx.end <= kx.first) return;
  for (int32_t y = ky.first; y < ky.end; ++y) {
    int8_t* dst = patch + static_cast<size_t>(y) * row;
    const int8_t* line = image + static_cast<size_t>(y0 + y * w.dilation_h) * w.in_w * in_c;
    if (w.dilation_w == 1) {
      CopyBytes(dst + kx.first * in_c, line + static_cast<size_t>(x0 + kx.first) * in_c,
                static_cast<size_t>(kx.end - kx.first) * in_c);
    } else {
      for (int32_t k = kx.first; k < kx.end; ++k) {
        CopyBytes(dst + k * in_c, line + static_cast<size_t>(x0 + k * w.dilation_w) * in_c, in_c);
      }
    }
  }
}

// The int8 inputs of output pixel p (counted over all batches) in the
// filter's [kh][kw][in_c] order: in place when the window is one run of the
// input with every tap inside it, copied row by row into `patch` when it is
// inside, else gathered with the padding (GatherPatch).
inline const int8_t* PatchOf(const Window2D& w, const int8_t* input, int32_t p, int8x16_t pad,
                             int8_t* patch) {
  const int32_t pixels = w.out_h * w.out_w;
  const int32_t b = p / pixels;
  const int32_t q = p - b * pixels;
  const int32_t oy = q / w.out_w;
  const int32_t ox = q - oy * w.out_w;
  const size_t in_c = static_cast<size_t>(w.in_c);
  const int8_t* image = input + static_cast<size_t>(b) * w.in_h * w.in_w * in_c;
  const int32_t y0 = oy * w.stride_h - w.pad_top;
  const int32_t x0 = ox * w.stride_w - w.pad_left;
  const bool inside = y0 >= 0 && x0 >= 0 && y0 + (w.filter_h - 1) * w.dilation_h < w.in_h &&
                      x0 + (w.filter_w - 1) * w.dilation_w < w.in_w;
  if (!inside || (w.filter_w != 1 && w.dilation_w != 1)) {
    GatherPatch(w, image, y0, x0, pad, patch);
    return patch;
  }
  const int8_t* first = image + (static_cast<size_t>(y0) * w.in_w + x0) * in_c;
  if (w.filter_h == 1) return first;
  const size_t row = static_cast<size_t>(w.filter_w) * in_c;
  const size_t step = static_cast<size_t>(w.dilation_h) * w.in_w * in_c;
  int8_t* dst = patch;
  for (int32_t y = 0; y < w.filter_h; ++y, dst += row, first += step) CopyBytes(dst, first, row);
  return patch;
}

// Two output pixels at a time, per chunk of output channels; the two
// windows gathered into the scratch (kernel_scratch::MveConv2DInt8Bytes).
__attribute__((noinline)) void ConvPatches(const Window2D& window, const OutputQuant& q,
                                           const int8_t* input, const int8_t* filter,
                                           const int32_t* bias, int8_t* output, uint8_t* scratch) {
  // A local copy: the patch stores could alias the caller's, which made GCC
  // reload every field for every pixel.
  const Window2D w = window;
  const size_t depth = static_cast<size_t>(w.filter_h) * w.filter_w * w.in_c;
  const size_t out_c = static_cast<size_t>(w.out_c);
  const int8x16_t pad = vdupq_n_s8(static_cast<int8_t>(-q.input_offset));
  const int32_t total = w.batches * w.out_h * w.out_w;
  int8_t* const patch_a = reinterpret_cast<int8_t*>(scratch);  // 16-byte aligned
  int8_t* const patch_b = patch_a + kernel_scratch::MvePatchStride(w);
  ChannelChunk chunk;
  for (size_t first = 0; first < out_c; first += kChunk) {
    PrepareChunk(filter, depth, bias, q, first, out_c - first < kChunk ? out_c - first : kChunk,
                 chunk);
    int32_t p = 0;
    for (; p + 2 <= total; p += 2) {
      const int8_t* xa = PatchOf(w, input, p, pad, patch_a);
      const int8_t* xb = PatchOf(w, input, p + 1, pad, patch_b);
      ChunkOutputs(chunk, xa, xb, depth, filter, q, output + p * out_c, output + (p + 1) * out_c);
    }
    if (p < total) {
      ChunkOutputs(chunk, PatchOf(w, input, p, pad, patch_a), nullptr, depth, filter, q,
                   output + p * out_c, nullptr);
    }
  }
}

}  // namespace

void Conv2DInt8(const Window2D& w, int32_t groups, const PerChannelParams& params,
                const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output,
                std::span<uint8_t> scratch) {
  const bool patches = kernel_scratch::MveConvPatchPathTakes(w, groups) &&
                       scratch.size() >= kernel_scratch::MveConv2DInt8Bytes(w, groups);
  if (groups != 1 || (!patches && !IsPointwise(w))) {
    // Grouped, larger windows, or too little scratch for the patches.
    cortex_m_dsp::Conv2DInt8(w, groups, params, input, filter, bias, output, scratch);
    return;
  }
  const OutputQuant q = {params.input_offset,  params.output_offset,  params.multiplier.data(),
                         params.shift.data(),  params.activation_min, params.activation_max,
                         params.effective_bias};
  if (IsPointwise(w)) {
    MatrixOutputs(input, static_cast<size_t>(w.batches) * w.in_h * w.in_w,
                  static_cast<size_t>(w.in_c), filter, static_cast<size_t>(w.out_c), bias, q,
                  output, scratch);
  } else {
    ConvPatches(w, q, input, filter, bias, output, scratch.data());
  }
}

}  // namespace mote::cortex_m_mve
