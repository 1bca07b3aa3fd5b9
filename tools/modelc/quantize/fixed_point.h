// Host-side helpers that turn real-valued scales into the integer
// parameters the runtime's kernels use.
#ifndef MOTE_TOOLS_MODELC_QUANTIZE_FIXED_POINT_H_
#define MOTE_TOOLS_MODELC_QUANTIZE_FIXED_POINT_H_

#include <cstdint>

namespace mote::modelc {

struct Multiplier {
  int32_t multiplier = 0;  // Q31 in [2^30, 2^31), or 0
  int shift = 0;           // real = multiplier * 2^(shift - 31)
};

// As TFLite's QuantizeMultiplier; shifts outside [min_shift, max_shift] are
// clamped (a too-small multiplier becomes 0).
Multiplier QuantizeMultiplier(double real, int min_shift = -31, int max_shift = 30);

// round(x), ties away from zero, saturated to [lo, hi].
int64_t RoundClamp(double x, int64_t lo, int64_t hi);

}  // namespace mote::modelc

#endif  // MOTE_TOOLS_MODELC_QUANTIZE_FIXED_POINT_H_
