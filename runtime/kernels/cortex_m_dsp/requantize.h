// The int8 output step of the DSP kernels: equal to the reference's
// (kernels/reference/requantize.h) for every value the loader allows, in
// fewer instructions. Portable C++, so tests/runtime checks it on the host too.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_REQUANTIZE_H_
#define MOTE_KERNELS_CORTEX_M_DSP_REQUANTIZE_H_

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

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_REQUANTIZE_H_
