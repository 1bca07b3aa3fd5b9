// DepthwiseConv2D for the Cortex-M55 with integer Helium (MVE): same
// signature and bit-identical results as kernels/reference/depthwise_conv.h.
#ifndef MOTE_KERNELS_CORTEX_M_MVE_DEPTHWISE_CONV_H_
#define MOTE_KERNELS_CORTEX_M_MVE_DEPTHWISE_CONV_H_

#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::cortex_m_mve {

using reference::PerChannelParams;
using reference::Window2D;

// depth_multiplier == 1: eight channels per vector (int8 widened to int16,
// plus the input offset, VMULLB/VMULLT into int32 even and odd channels),
// only the in-bounds taps of each output pixel; two horizontally adjacent
// pixels whose windows lie inside the input share each weight load. Other
// multipliers run the DSP kernel.
void DepthwiseConv2DInt8(const Window2D& w, int32_t depth_multiplier,
                         const PerChannelParams& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output);

}  // namespace mote::cortex_m_mve

#endif  // MOTE_KERNELS_CORTEX_M_MVE_DEPTHWISE_CONV_H_
