#include "kernels/cortex_m_dsp/requantize.h"

namespace mote::cortex_m_dsp {

int32_t MultiplyByQuantizedMultiplierLeftShift(int32_t x, int32_t multiplier, int shift) {
  return reference::MultiplyByQuantizedMultiplier(x, multiplier, shift);
}

}  // namespace mote::cortex_m_dsp
