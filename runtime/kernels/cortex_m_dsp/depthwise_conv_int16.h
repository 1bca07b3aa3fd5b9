// DepthwiseConv2D with int16 activations for cores with the DSP extension:
// same signature and bit-identical results as
// reference::DepthwiseConv2DInt16 (kernels/reference/depthwise_conv.h).
#ifndef MOTE_KERNELS_CORTEX_M_DSP_DEPTHWISE_CONV_INT16_H_
#define MOTE_KERNELS_CORTEX_M_DSP_DEPTHWISE_CONV_INT16_H_

#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::cortex_m_dsp {

// depth_multiplier == 1 and windows of at most 511 taps (else the
// reference): per output pixel, four channels at a time, their sums over the
// in-bounds taps in int32 (SMLAxy on the input words and the filter's
// SXTB16 lanes), then the reference's 64-bit requantization.
void DepthwiseConv2DInt16(const reference::Window2D& w, int32_t depth_multiplier,
                          const reference::PerChannelParams& params, const int16_t* input,
                          const int8_t* filter, const int64_t* bias, int16_t* output);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_DEPTHWISE_CONV_INT16_H_
