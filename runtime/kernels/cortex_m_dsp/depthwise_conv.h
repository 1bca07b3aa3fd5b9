// DepthwiseConv2D for cores with the DSP extension (M4, M7, M33, M55): same
// signature and bit-identical results as kernels/reference/depthwise_conv.h.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_DEPTHWISE_CONV_H_
#define MOTE_KERNELS_CORTEX_M_DSP_DEPTHWISE_CONV_H_

#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::cortex_m_dsp {

using reference::PerChannelParams;
using reference::Window2D;

// depth_multiplier == 1, windows of up to nine taps, accumulators under
// 2^30 (AccumulatorsFitQ30): four channels at a time over the whole image,
// their filter unpacked once to the stack (SMLABB/SMLATT on SXTB16 lanes),
// requantized with SMMULR/SMMLAR; 3x3 undilated windows over inputs of at
// least 3x3 read whole windows, two vertically adjacent pixels per pass
// (inline asm). Groups whose shifts leave [-22, -1], channel tails, larger
// windows and larger sums take a general per-pixel path; other multipliers
// run the reference.
void DepthwiseConv2DInt8(const Window2D& w, int32_t depth_multiplier,
                         const PerChannelParams& params, const int8_t* input, const int8_t* filter,
                         const int32_t* bias, int8_t* output);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_DEPTHWISE_CONV_H_
