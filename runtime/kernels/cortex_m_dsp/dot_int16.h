// Dot products of int16 activations with int8 weight rows (TFLite's 16x8
// path), and the pieces the int16 conv/FC kernels share. A product is at most
// 2^22 in magnitude (-32768 * -128), so every partial sum of up to 511 of
// them fits int32 (511 * 2^22 < 2^31): SMLAD sums runs of that length in
// int32, exactly, and the runs are added in int64 as the reference adds.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_DOT_INT16_H_
#define MOTE_KERNELS_CORTEX_M_DSP_DOT_INT16_H_

#include <stddef.h>
#include <stdint.h>

#include "kernels/reference/requantize.h"
#include "kernels/scratch.h"

namespace mote::cortex_m_dsp {

// The longest run summed in int32 (a multiple of four under 512).
inline constexpr size_t kMaxInt32Run = kernel_scratch::kDspMaxInt32Run;

// Four int16 values x0..x3 from the words (x0, x1) and (x2, x3), as the lane
// pairs SXTB16 gives a weight word: (x0, x2) by one PKHBT, (x1, x3) by one
// PKHTB (GCC 12 builds either from C in four instructions).
inline int32_t EvenLanes(int32_t x01, int32_t x23) {
  int32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(x01), "r"(x23));
  return r;
}
inline int32_t OddLanes(int32_t x01, int32_t x23) {
  int32_t r;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(x23), "r"(x01));
  return r;
}

// acc[r] += sum_{i<n} in[i] * w[r * stride + i], r in [0, 4), any n; in and
// w need no alignment.
void Dot4Int16(const int16_t* in, const int8_t* w, size_t stride, size_t n, int64_t* acc);

// A run of n values with each block of four x0..x3 stored as the words
// (x0, x2), (x1, x3), the n % 4 last values as they are. out: 4-byte aligned.
void ArrangeRun(const int16_t* in, size_t n, int16_t* out);

// sums[r] = sum_{i<n} x_i * w[r * stride + i], r in [0, 4), for a run x
// ArrangeRun laid out and n <= kMaxInt32Run: one LDRD per block.
void Dot4Arranged(const int16_t* x, const int8_t* w, size_t stride, size_t n, int32_t* sums);

// acc + sum_{i<n} in[i] * w[i], any n.
int64_t Dot1Int16(const int16_t* in, const int8_t* w, size_t n, int64_t acc);

// reference::MultiplyByQuantizedMultiplier64 in 32-bit arithmetic for an
// accumulator a that fits int32 and a total shift t = 15 - shift >= 17 (a
// real multiplier below 1/2, the usual case): its clamp to 2^47 and its
// saturation change nothing there. It is floor((a R + 2^(t-1)) / 2^t) for
// the Q15 multiplier R < 2^15. With a = h 2^16 + l (0 <= l < 2^16) and
// 2^(t-1) a multiple of 2^16, floor((a R + 2^(t-1)) / 2^16) is
// h R + floor(l R / 2^16) + 2^(t-17), every term and the sum inside int32
// (|h R| < 2^30, l R < 2^31, 2^(t-17) <= 2^29), and flooring that by
// 2^(t-16) is flooring the whole by 2^t.
// The reference itself, out of line so that the kernels' output loops keep
// only the short path (dot_int16.cc).
int32_t MultiplyByQuantizedMultiplier64Wide(int64_t acc, int32_t multiplier, int shift);

inline int32_t MultiplyByQuantizedMultiplier64(int64_t acc, int32_t multiplier, int shift) {
  const int32_t a = static_cast<int32_t>(acc);
  const int t = 15 - shift;
  if (a != acc || t < 17) return MultiplyByQuantizedMultiplier64Wide(acc, multiplier, shift);
  const int32_t reduced = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
  const int32_t low = static_cast<int32_t>(static_cast<uint32_t>(a) & 0xFFFFu) * reduced;
  return ((a >> 16) * reduced + (low >> 16) + (int32_t{1} << (t - 17))) >> (t - 16);
}

// The reference's int16 output step: bias added, 64-bit requantization,
// offset (0 for int16 convs), clamp.
inline int16_t RequantizeInt16(int64_t acc, const int64_t* bias, size_t c,
                               const int32_t* multiplier, const int8_t* shift,
                               int32_t output_offset, int32_t lo, int32_t hi) {
  if (bias != nullptr) acc += bias[c];
  const int32_t scaled = MultiplyByQuantizedMultiplier64(acc, multiplier[c], shift[c]);
  return reference::ClampTo<int16_t>(scaled + output_offset, lo, hi);
}

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_DOT_INT16_H_
