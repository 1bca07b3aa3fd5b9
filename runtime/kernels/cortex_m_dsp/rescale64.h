// The 64-bit output step of the int16 (16x8) kernels,
// reference::MultiplyByQuantizedMultiplier64, in fewer instructions where the
// accumulator fits int32 and the shift is negative (the usual case).
// Portable C++.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_RESCALE64_H_
#define MOTE_KERNELS_CORTEX_M_DSP_RESCALE64_H_

#include <stdint.h>

#include "kernels/reference/requantize.h"

namespace mote::cortex_m_dsp {

// reference::MultiplyByQuantizedMultiplier64 (multiplier >= 0, shift in
// [-31, 7]). For an int32 x and shift < 0: |p| = |x * reduced| < 2^46 needs
// no clamp, and with t = 15 - shift >= 16, (p + 2^(t-1)) >> t equals
// ((p >> (t - 1)) + 1) >> 1, where |p >> (t - 1)| < 2^31: one 64-bit shift
// taken from the halves, the rest in int32, no saturation.
inline int32_t Rescale64(int64_t x, int32_t multiplier, int shift) {
  const int32_t x32 = static_cast<int32_t>(x);
  if (x32 != x || shift >= 0) {
    return reference::MultiplyByQuantizedMultiplier64(x, multiplier, shift);
  }
  const int32_t reduced = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
  const int64_t p = int64_t{x32} * reduced;
  const int down = 14 - shift;  // t - 1, in [15, 45]
  const int32_t hi = static_cast<int32_t>(p >> 32);
  const int32_t q = down >= 32 ? hi >> (down - 32)
                               : static_cast<int32_t>((static_cast<uint32_t>(p) >> down) |
                                                      (static_cast<uint32_t>(hi) << (32 - down)));
  return (q + 1) >> 1;
}

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_RESCALE64_H_
