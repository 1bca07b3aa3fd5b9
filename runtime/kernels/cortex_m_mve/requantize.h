// The int8 output step of the MVE kernels, four channels per vector: equal
// to reference::MultiplyByQuantizedMultiplier + offset + clamp
// (kernels/reference/requantize.h) for every accumulator, multiplier >= 0
// and shift in [-31, 0]. Channels with a left shift (shift > 0, a real
// multiplier of at least 1: rare) take cortex_m_dsp::RequantizeInt8 instead.
#ifndef MOTE_KERNELS_CORTEX_M_MVE_REQUANTIZE_H_
#define MOTE_KERNELS_CORTEX_M_MVE_REQUANTIZE_H_

#include <arm_mve.h>
#include <stddef.h>
#include <stdint.h>

namespace mote::cortex_m_mve {

// Why each step equals the reference, for m = multiplier >= 0 and
// e = -shift in [0, 31]:
// * VQRDMULH gives sat((2 acc m + 2^31) >> 32) = (acc m + 2^30) >> 31; it
//   saturates only for acc = m = INT32_MIN, impossible with m >= 0. The
//   reference's SaturatingRoundingDoublingHighMul is that same floor (for
//   acc m < 0 it truncates (acc m + 1 - 2^30) / 2^31 towards zero, which is
//   floor((acc m + 2^30) / 2^31); cortex_m_dsp/requantize.h). With no left
//   shift the reference's overflow branch is never taken.
// * high > INT32_MIN (|acc m| <= 2^62 - 2^31), so high - 1 does not saturate.
// * fix = (high & shift) >> 31 is -1 exactly when high < 0 and e > 0 (shift
//   < 0 has its sign bit set), else 0. VRSHL by -e is floor((v + 2^(e-1)) /
//   2^e) computed without overflow (v itself for e = 0). The reference's
//   RoundingDivideByPOT rounds half away from zero: floor((high + 2^(e-1) -
//   [high < 0]) / 2^e) for e > 0 (cortex_m_dsp/requantize.h), high for e = 0.
// * VQADD of the output offset is SaturateToInt32(scaled + offset); then the
//   clamp to [lo, hi] (inside int8, checked at load), so the low byte that
//   VSTRB.32 keeps is the value.
inline int32x4_t Requantize4(int32x4_t acc, int32x4_t multiplier, int32x4_t shift,
                             int32_t output_offset, int32_t lo, int32_t hi) {
  int32x4_t high = vqrdmulhq_s32(acc, multiplier);
  high = vqaddq_s32(high, vshrq_n_s32(vandq_s32(high, shift), 31));
  int32x4_t out = vqaddq_s32(vrshlq_s32(high, shift), vdupq_n_s32(output_offset));
  out = vmaxq_s32(out, vdupq_n_s32(lo));
  return vminq_s32(out, vdupq_n_s32(hi));
}

// True when every shift[c], c < n, is <= 0 (Requantize4 takes them all).
inline bool RightShiftsOnly(const int8_t* shift, size_t n) {
  int32_t any_left = 0;
  for (size_t c = 0; c < n; ++c) any_left |= shift[c] > 0;
  return any_left == 0;
}

// The constants of a run of output channels.
struct ChannelQuant {
  const int32_t* bias;        // [count], added to the sums; may be null
  const int32_t* multiplier;  // [count]
  const int8_t* shift;        // [count]
  int32_t output_offset, activation_min, activation_max;
  bool right_shifts_only;  // RightShiftsOnly(shift, count): Requantize4 takes them
};

// out_a[c] from sum_a[c] + bias[c], c < count, and the same for b when
// out_b is not null (one pass: each channel's constants are loaded once for
// both rows). Sums and bias add modulo 2^32, as the reference's accumulator.
void RequantizeRows(const ChannelQuant& q, size_t count, const int32_t* sum_a, const int32_t* sum_b,
                    int8_t* out_a, int8_t* out_b);

}  // namespace mote::cortex_m_mve

#endif  // MOTE_KERNELS_CORTEX_M_MVE_REQUANTIZE_H_
