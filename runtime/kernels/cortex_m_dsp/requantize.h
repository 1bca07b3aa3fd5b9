// The int8 output step of the DSP kernels: equal to the reference's
// (kernels/reference/requantize.h) for every value the loader allows, in
// fewer instructions. Portable C++, so tests/runtime checks it on the host too.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_REQUANTIZE_H_
#define MOTE_KERNELS_CORTEX_M_DSP_REQUANTIZE_H_

#if defined(__ARM_FEATURE_DSP)
#include <arm_acle.h>
#endif
#include <stddef.h>
#include <stdint.h>

#include "kernels/reference/requantize.h"

namespace mote::cortex_m_dsp {

// reference::MultiplyByQuantizedMultiplier for multiplier >= 0 (the loader's
// ValidMultiplier), shift in [-31, 30]. For shift <= 0 there is no left
// shift, so the reference's overflow branch is never taken, and
// SaturatingRoundingDoublingHighMul(x, m) (whose saturating case needs
// m == INT32_MIN) is (x * m + 2^30) >> 31: for x * m >= 0 that is the
// reference's (x * m + 2^30) / 2^31; for x * m < 0 the reference truncates
// (x * m + 1 - 2^30) / 2^31 towards zero, i.e. floors it after adding
// 2^31 - 1, which again gives (x * m + 2^30) >> 31.
// The reference itself for shift > 0 (rare: a real multiplier above 1), out of
// line so the kernels' loops keep only the short path (requantize.cc).
int32_t MultiplyByQuantizedMultiplierLeftShift(int32_t x, int32_t multiplier, int shift);

inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift) {
  if (shift > 0) return MultiplyByQuantizedMultiplierLeftShift(x, multiplier, shift);
  const int64_t product = static_cast<int64_t>(x) * multiplier;
  const int32_t high = static_cast<int32_t>((product + (int64_t{1} << 30)) >> 31);
  return reference::RoundingDivideByPOT(high, -shift);
}

// clamp(saturate(MultiplyByQuantizedMultiplier(acc) + output_offset)) of the
// reference, for shift >= 0 (a real multiplier of 0.5 or more: rare).
// output_offset is an int8 zero point and [activation_min, activation_max]
// lies inside int8 (both checked at load), so clamping the scaled value to
// +-2^16 first changes no result and keeps the sum in int32.
inline int8_t RequantizeInt8WideShift(int32_t acc, int32_t multiplier, int shift,
                                      int32_t output_offset, int32_t activation_min,
                                      int32_t activation_max) {
  constexpr int32_t kBound = 1 << 16;
  int32_t scaled = MultiplyByQuantizedMultiplier(acc, multiplier, shift);
  if (scaled > kBound) scaled = kBound;
  if (scaled < -kBound) scaled = -kBound;
  return reference::ClampTo<int8_t>(scaled + output_offset, activation_min, activation_max);
}

// The same for every int32 acc and shift < 0, without 64-bit arithmetic
// after the product. e = -shift in [1, 31]: high = (acc * m + 2^30) >> 31
// as above (|high| < 2^31). Write high = q * 2^e + r, q = high >> e,
// 0 <= r < 2^e. The reference rounds half away from zero: q + [r >= 2^(e-1)]
// for high >= 0 and q + [r > 2^(e-1)] for high < 0, i.e.
// q + ((r + 2^(e-1) - [high < 0]) >> e), where the sum lies in [0, 2^(e+1))
// and so is computed unsigned. |scaled| <= 2^30, so adding the offset cannot
// overflow. Out of line (requantize.cc): RequantizeInt8 needs it only for
// accumulators of 2^30 or more.
int8_t RequantizeInt8AnyAccumulator(int32_t acc, int32_t multiplier, int shift,
                                    int32_t output_offset, int32_t activation_min,
                                    int32_t activation_max);

// (a * b + 2^31) >> 32: one SMMULR on the core; the same in C elsewhere, so
// that the host tests run this header.
inline int32_t RoundingHighMul(int32_t a, int32_t b) {
#if defined(__ARM_FEATURE_DSP)
  int32_t r;
  __asm__("smmulr %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
  return r;
#else
  return static_cast<int32_t>((static_cast<int64_t>(a) * b + (int64_t{1} << 31)) >> 32);
#endif
}

// Accumulators below 2^30 in magnitude: every int8 dot product of `depth`
// terms plus any of these biases (null: none). A kernel that checks it once
// per call may double its accumulators (2 acc fits int32) and round them
// with RequantizeInt8's short path without the per-output range test.
inline bool AccumulatorsFitQ30(size_t depth, const int32_t* bias, size_t channels) {
  constexpr int64_t kLimit = int64_t{1} << 30;
  const int64_t worst = static_cast<int64_t>(depth) * 255 * 128;
  if (worst >= kLimit) return false;
  int64_t max_bias = 0;
  for (size_t c = 0; bias != nullptr && c < channels; ++c) {
    const int64_t b = bias[c] < 0 ? -int64_t{bias[c]} : int64_t{bias[c]};
    if (b > max_bias) max_bias = b;
  }
  return worst + max_bias < kLimit;
}

// clamp(v) to int8: one SSAT on the core.
inline int32_t SaturateInt8(int32_t v) {
#if defined(__ARM_FEATURE_DSP)
  return __ssat(v, 8);
#else
  return v < -128 ? -128 : (v > 127 ? 127 : v);
#endif
}

// acc in [-2^30, 2^30): the range RequantizeInt8's short path needs.
inline bool SmallAccumulator(int32_t acc) {
  return static_cast<int32_t>(static_cast<uint32_t>(acc) + (uint32_t{1} << 30)) >= 0;
}

// RequantizeInt8's short path before the offset and clamp: acc * M rounded
// as the reference does, for shift = -e < 0 and SmallAccumulator(acc) (see
// RequantizeInt8 for why it is exact).
inline int32_t ShortScale(int32_t acc, int32_t multiplier, int e) {
  const int32_t high = RoundingHighMul(2 * acc, multiplier);
  return (high + (int32_t{1} << (e - 1)) + (high >> 31)) >> e;
}

// The kernels' output step. The common case, shift < 0 and
// acc in [-2^30, 2^30): high = (2 acc * m + 2^31) >> 32 (no overflow in
// 2 acc) is (acc * m + 2^30) >> 31, with |high| < 2^30 (|acc| <= 2^30,
// m < 2^31). So high + 2^(e-1) - [high < 0] cannot overflow, and its
// arithmetic shift by e is the reference's rounding division: for high >= 0,
// floor((high + 2^(e-1)) / 2^e) rounds half up; for high = -k < 0,
// -floor((k + 2^(e-1)) / 2^e) = floor((-k + 2^(e-1) - 1) / 2^e).
inline int8_t RequantizeInt8(int32_t acc, int32_t multiplier, int shift, int32_t output_offset,
                             int32_t activation_min, int32_t activation_max) {
  if (shift >= 0 || !SmallAccumulator(acc)) {
    return RequantizeInt8AnyAccumulator(acc, multiplier, shift, output_offset, activation_min,
                                        activation_max);
  }
  int32_t out = ShortScale(acc, multiplier, -shift) + output_offset;
  if (out < activation_min) out = activation_min;
  if (out > activation_max) out = activation_max;
  return static_cast<int8_t>(out);
}

// RequantizeInt8 of n accumulators of consecutive channels (multiplier[i],
// shift[i]) into out, the activation range looked at once: with all of int8
// (no activation, or ReLU at a zero point of -128) one SSAT clamps.
// `short_path`: the caller knows every shift < 0 and every |acc| < 2^30
// (FullyConnectedOptions.short_requantize, checked at load), so neither is
// tested per output.
inline void RequantizeChannels(const int32_t* acc, size_t n, const int32_t* multiplier,
                               const int8_t* shift, int32_t output_offset, int32_t activation_min,
                               int32_t activation_max, int8_t* out, bool short_path = false) {
  const bool full_range = activation_min == -128 && activation_max == 127;
  if (short_path && full_range) {
    for (size_t i = 0; i < n; ++i) {
      const int32_t v = ShortScale(acc[i], multiplier[i], -shift[i]) + output_offset;
      out[i] = static_cast<int8_t>(SaturateInt8(v));
    }
    return;
  }
  if (!full_range) {
    for (size_t i = 0; i < n; ++i) {
      out[i] = RequantizeInt8(acc[i], multiplier[i], shift[i], output_offset, activation_min,
                              activation_max);
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    const int32_t x = acc[i];
    const int s = shift[i];
    if (s >= 0 || !SmallAccumulator(x)) {
      out[i] = RequantizeInt8AnyAccumulator(x, multiplier[i], s, output_offset, -128, 127);
      continue;
    }
    const int32_t v = ShortScale(x, multiplier[i], -s) + output_offset;
    out[i] = static_cast<int8_t>(SaturateInt8(v));
  }
}

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_REQUANTIZE_H_
