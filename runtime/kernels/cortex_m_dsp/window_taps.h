// The filter taps of one output position that fall inside the input.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_WINDOW_TAPS_H_
#define MOTE_KERNELS_CORTEX_M_DSP_WINDOW_TAPS_H_

#include <stdint.h>

namespace mote::cortex_m_dsp {

struct TapRange {
  int32_t first, end;  // taps k in [first, end) read inside the input
};

// Taps k in [0, taps) with 0 <= origin + k * dilation < size (dilation >= 1):
// a contiguous range, empty when first >= end. The loader keeps every
// coordinate in int32 (kernels/ops/window_checks.h).
inline TapRange ValidTaps(int32_t origin, int32_t dilation, int32_t size, int32_t taps) {
  if (dilation == 1) {  // the usual case, without the divisions
    const int32_t end = size - origin < taps ? size - origin : taps;
    return {origin >= 0 ? 0 : -origin, end < 0 ? 0 : end};
  }
  const int32_t first = origin >= 0 ? 0 : (-origin + dilation - 1) / dilation;
  const int32_t room = size - origin;  // taps need k * dilation < room
  int32_t end = room <= 0 ? 0 : (room + dilation - 1) / dilation;
  if (end > taps) end = taps;
  return {first, end};
}

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_WINDOW_TAPS_H_
