// The int8 output step of the DSP kernels: equal to the reference's
// (kernels/reference/requantize.h) for every value the loader allows, in
// fewer instructions. Portable C++, so tests/runtime checks it on the host too.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_REQUANTIZE_H_
#define MOTE_KERNELS_CORTEX_M_DSP_REQUANTIZE_H_

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
// reference. output_offset is an int8 zero point and [activation_min,
// activation_max] lies inside int8 (both checked at load), so clamping the
// scaled value to +-2^16 first changes no result and keeps the sum in int32.
inline int8_t RequantizeInt8(int32_t acc, int32_t multiplier, int shift, int32_t output_offset,
                             int32_t activation_min, int32_t activation_max) {
  constexpr int32_t kBound = 1 << 16;
  int32_t scaled = MultiplyByQuantizedMultiplier(acc, multiplier, shift);
  if (scaled > kBound) scaled = kBound;
  if (scaled < -kBound) scaled = -kBound;
  return reference::ClampTo<int8_t>(scaled + output_offset, activation_min, activation_max);
}

// Accumulators below 2^30 in magnitude: every int8 dot product of `depth`
// terms plus any of these biases (null: none). The kernels check it once per
// call and use the reference for the rare op that fails it (a huge bias or a
// depth above 32,896), so that RequantizeInt8Q30 applies.
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

// RequantizeInt8 for |acc| < 2^30 (AccumulatorsFitQ30). For shift < 0,
// e = -shift in [1, 31]: high = (acc * m + 2^30) >> 31 (as above) has
// |high| < 2^30, so high + 2^(e-1) - [high < 0] cannot overflow, and its
// arithmetic shift by e is the reference's rounding division: for high >= 0,
// floor((high + 2^(e-1)) / 2^e) rounds half up; for high = -k < 0,
// -floor((k + 2^(e-1)) / 2^e) = floor((-k + 2^(e-1) - 1) / 2^e). shift >= 0
// (a real multiplier of 0.5 or more) takes RequantizeInt8.
inline int8_t RequantizeInt8Q30(int32_t acc, int32_t multiplier, int shift, int32_t output_offset,
                                int32_t activation_min, int32_t activation_max) {
  if (shift >= 0) {
    return RequantizeInt8(acc, multiplier, shift, output_offset, activation_min, activation_max);
  }
  const int64_t product = static_cast<int64_t>(acc) * multiplier;
  const int32_t high = static_cast<int32_t>((product + (int64_t{1} << 30)) >> 31);
  const int e = -shift;
  const int32_t scaled = (high + (int32_t{1} << (e - 1)) + (high >> 31)) >> e;  // |.| < 2^30
  int32_t out = scaled + output_offset;
  if (out < activation_min) out = activation_min;
  if (out > activation_max) out = activation_max;
  return static_cast<int8_t>(out);
}

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_REQUANTIZE_H_
