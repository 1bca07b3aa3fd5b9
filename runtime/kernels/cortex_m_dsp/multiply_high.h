// SMMLAR (DSP extension) as the MultiplyHigh policy of
// kernels/cortex_m_dsp/elementwise_rescale.h; GCC 12 does not form it from
// the 64-bit expression.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_MULTIPLY_HIGH_H_
#define MOTE_KERNELS_CORTEX_M_DSP_MULTIPLY_HIGH_H_

#include <stdint.h>

namespace mote::cortex_m_dsp {

struct SmmlarMultiplyHigh {
  // c + floor((a * b + 2^31) / 2^32).
  static int32_t Rounded(int32_t a, int32_t b, int32_t c) {
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));
    return r;
  }
};

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_MULTIPLY_HIGH_H_
