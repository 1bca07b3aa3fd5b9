// Fixed-point rescaling as in TFLite's reference kernels (DESIGN.md §4), so
// imported TFLite int8 models stay bit-exact. A real multiplier M is stored
// as a Q31 `multiplier` in [2^30, 2^31) and a power-of-two `shift`:
// M = multiplier * 2^(shift - 31).
#ifndef MOTE_KERNELS_REFERENCE_REQUANTIZE_H_
#define MOTE_KERNELS_REFERENCE_REQUANTIZE_H_

#include <stdint.h>

namespace mote::reference {

inline int32_t SaturateToInt32(int64_t x) {
  if (x > INT32_MAX) return INT32_MAX;
  if (x < INT32_MIN) return INT32_MIN;
  return static_cast<int32_t>(x);
}

// round(a * b / 2^31), saturating the single overflow case (a == b == MIN).
inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == b && a == INT32_MIN) return INT32_MAX;
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t nudge = ab >= 0 ? (int64_t{1} << 30) : (1 - (int64_t{1} << 30));
  return static_cast<int32_t>((ab + nudge) / (int64_t{1} << 31));
}

// round(x / 2^exponent), ties away from zero; exponent in [0, 31].
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// x * M for shift in [-31, 30]. TFLite left-shifts in int32 first, which is
// undefined when it overflows; there the exact product is rounded and
// saturated instead, so results equal TFLite's wherever TFLite's are defined.
inline int32_t MultiplyByQuantizedMultiplier(int32_t x, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  const int64_t shifted = static_cast<int64_t>(x) * (int64_t{1} << left_shift);
  if (shifted > INT32_MAX || shifted < INT32_MIN) {
    const int64_t product = static_cast<int64_t>(x) * multiplier;  // |.| < 2^62
    const int down = 31 - left_shift;                                // in [1, 30]
    const int64_t half = int64_t{1} << (down - 1);
    const int64_t rounded = product >= 0 ? (product + half) >> down : -((-product + half) >> down);
    return SaturateToInt32(rounded);
  }
  return RoundingDivideByPOT(
      SaturatingRoundingDoublingHighMul(static_cast<int32_t>(shifted), multiplier), right_shift);
}

// 64-bit accumulator variant used by int16 kernels (TFLite's 16x8 path):
// the multiplier is reduced to Q15. Valid for shift in [-31, 7] and
// |x| < 2^47; larger accumulators are clamped there first.
inline int32_t MultiplyByQuantizedMultiplier64(int64_t x, int32_t multiplier, int shift) {
  constexpr int64_t kLimit = int64_t{1} << 47;
  if (x >= kLimit) x = kLimit - 1;
  if (x < -kLimit) x = -kLimit;
  const int32_t reduced = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
  const int total_shift = 15 - shift;
  const int64_t round = int64_t{1} << (total_shift - 1);
  return SaturateToInt32((x * reduced + round) >> total_shift);
}

template <typename T>
inline T ClampTo(int32_t x, int32_t lo, int32_t hi) {
  return static_cast<T>(x < lo ? lo : (x > hi ? hi : x));
}

}  // namespace mote::reference

#endif  // MOTE_KERNELS_REFERENCE_REQUANTIZE_H_
