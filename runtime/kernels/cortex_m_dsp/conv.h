// Conv2D for cores with the DSP extension (M4, M7, M33, M55): same signature
// and bit-identical results as kernels/reference/conv.h.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_CONV_H_
#define MOTE_KERNELS_CORTEX_M_DSP_CONV_H_

#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::cortex_m_dsp {

using reference::PerChannelParams;
using reference::Window2D;

// groups == 1 (else the reference; paths: kernels/paths.h): a 1x1 stride-1
// unpadded conv runs as one FullyConnected over all pixels (no im2col);
// other windows of up to 576 values (in_c a multiple of 4) or 160 (any
// in_c) widen two output pixels' inputs once, into the op's scratch, for all
// output channels (channel_outputs.h); larger windows sum, per output pixel,
// the input runs their in-bounds taps cover, four output channels at a time.
void Conv2DInt8(const Window2D& w, int32_t groups, const PerChannelParams& params,
                const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output,
                std::span<uint8_t> scratch);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_CONV_H_
