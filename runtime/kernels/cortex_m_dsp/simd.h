// Packed int8 helpers over the DSP extension (ACLE, <arm_acle.h>): a word of
// four int8 lanes [b0 b1 b2 b3] is unpacked into two int16x2 halves,
// even = (b0, b2) and odd = (b1, b3), so that SMLAD of two words unpacked the
// same way sums b0*c0 + b2*c2 and b1*c1 + b3*c3: every lane pairs with its
// own partner, and int32 sums do not depend on their order.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_SIMD_H_
#define MOTE_KERNELS_CORTEX_M_DSP_SIMD_H_

#include <arm_acle.h>
#include <stdint.h>
#include <string.h>

namespace mote::cortex_m_dsp {

// Four int8 lanes from any address (the M4/M7/M33/M55 allow unaligned LDR).
inline int32_t LoadInt8x4(const int8_t* p) {
  int32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

// Four int8 lanes to any address.
inline void StoreInt8x4(int8_t* p, int32_t v) { memcpy(p, &v, sizeof v); }

// Each int8 lane of x clamped to [lo, hi], the bounds given in every lane
// (SSUB8 sets a lane's GE bit when its difference is >= 0, SEL picks by it).
inline int32_t ClampInt8x4(int32_t x, int32_t lo4, int32_t hi4) {
  int32_t t;
  __asm__(
      "ssub8 %[t], %[x], %[lo]\n\t"
      "sel %[x], %[x], %[lo]\n\t"
      "ssub8 %[t], %[hi], %[x]\n\t"
      "sel %[x], %[x], %[hi]"
      : [x] "+r"(x), [t] "=&r"(t)
      : [lo] "r"(lo4), [hi] "r"(hi4));
  return x;
}

// The offset in both int16 halves. |offset| <= 128 (a zero point of int8),
// so lane + offset fits int16.
inline int32_t OffsetPair(int32_t offset) {
  return static_cast<int32_t>((static_cast<uint32_t>(offset) & 0xFFFFu) |
                              (static_cast<uint32_t>(offset) << 16));
}

// (b1, b3) sign-extended: one SXTB16 with its rotate operand (GCC 12 does
// not fold __sxtb16(__ror(x, 8)) into one instruction).
inline int32_t SignExtendOdd(int32_t x) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}

// (b1 + offset, b3 + offset), offset as OffsetPair gives it.
inline int32_t SignExtendOddAdd(int32_t offset_pair, int32_t x) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(offset_pair), "r"(x));
  return r;
}

inline int32_t SignExtendEven(int32_t x) { return __sxtb16(x); }
inline int32_t SignExtendEvenAdd(int32_t offset_pair, int32_t x) { return __sxtab16(offset_pair, x); }

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_SIMD_H_
