// The Helium path of DepthwiseConv2DInt8 for 3x3 filters: sixteen channels
// per vector (eight channels of two adjacent pixels when there are only
// eight), all nine taps of a window from nine pointers that walk the
// channels, padded taps reading a buffer of the input's zero point (so the
// input offset is folded into a per-channel window bias), and the
// requantization in the same loop, its constants prepared once per layer.
#ifndef MOTE_KERNELS_CORTEX_M_MVE_DEPTHWISE_3X3_H_
#define MOTE_KERNELS_CORTEX_M_MVE_DEPTHWISE_3X3_H_

#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::cortex_m_mve {

using reference::PerChannelParams;
using reference::Window2D;

// True when Depthwise3x3Int8 takes the layer: depth_multiplier 1, a 3x3
// filter, channels a multiple of 4 and only right shifts (requantize.h).
bool Depthwise3x3Fits(const Window2D& w, int32_t depth_multiplier, const PerChannelParams& params);

// Bit-identical to reference::DepthwiseConv2DInt8 for the layers above.
void Depthwise3x3Int8(const Window2D& w, const PerChannelParams& params, const int8_t* input,
                      const int8_t* filter, const int32_t* bias, int8_t* output);

}  // namespace mote::cortex_m_mve

#endif  // MOTE_KERNELS_CORTEX_M_MVE_DEPTHWISE_3X3_H_
