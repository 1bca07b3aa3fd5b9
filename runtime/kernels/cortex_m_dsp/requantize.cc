#include "kernels/cortex_m_dsp/requantize.h"

namespace mote::cortex_m_dsp {

int32_t MultiplyByQuantizedMultiplierLeftShift(int32_t x, int32_t multiplier, int shift) {
  return reference::MultiplyByQuantizedMultiplier(x, multiplier, shift);
}

int8_t RequantizeInt8AnyAccumulator(int32_t acc, int32_t multiplier, int shift,
                                    int32_t output_offset, int32_t activation_min,
                                    int32_t activation_max) {
  if (shift >= 0) {
    return RequantizeInt8WideShift(acc, multiplier, shift, output_offset, activation_min,
                                   activation_max);
  }
  const int64_t product = static_cast<int64_t>(acc) * multiplier;
  const int32_t high = static_cast<int32_t>((product + (int64_t{1} << 30)) >> 31);
  const int e = -shift;
  const uint32_t half = uint32_t{1} << (e - 1);
  const uint32_t mask = 2 * half - 1;
  const uint32_t round =
      (static_cast<uint32_t>(high) & mask) + half + static_cast<uint32_t>(high >> 31);
  int32_t out = (high >> e) + static_cast<int32_t>(round >> e) + output_offset;
  if (out < activation_min) out = activation_min;
  if (out > activation_max) out = activation_max;
  return static_cast<int8_t>(out);
}

}  // namespace mote::cortex_m_dsp
