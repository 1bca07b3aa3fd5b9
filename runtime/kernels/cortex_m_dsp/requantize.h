// The reference's int8 output step (kernels/reference/requantize.h), shared
// by the DSP kernels so each stays bit-identical to its reference.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_REQUANTIZE_H_
#define MOTE_KERNELS_CORTEX_M_DSP_REQUANTIZE_H_

#include <stdint.h>

#include "kernels/reference/requantize.h"

namespace mote::cortex_m_dsp {

// clamp(MultiplyByQuantizedMultiplier(acc) + output_offset), saturated first
// so that an extreme multiplier cannot overflow; exactly the reference's.
inline int8_t RequantizeInt8(int32_t acc, int32_t multiplier, int shift, int32_t output_offset,
                             int32_t activation_min, int32_t activation_max) {
  const int32_t scaled = reference::MultiplyByQuantizedMultiplier(acc, multiplier, shift);
  return reference::ClampTo<int8_t>(reference::SaturateToInt32(int64_t{scaled} + output_offset),
                                    activation_min, activation_max);
}

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_REQUANTIZE_H_
