// Conv2D with int16 activations for cores with the DSP extension: same
// signature and bit-identical results as reference::Conv2DInt16
// (kernels/reference/conv.h).
#ifndef MOTE_KERNELS_CORTEX_M_DSP_CONV_INT16_H_
#define MOTE_KERNELS_CORTEX_M_DSP_CONV_INT16_H_

#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::cortex_m_dsp {

// groups == 1 (else the reference). Windows of up to kMaxPairDepthInt16
// values: two output pixels' windows rearranged once, on the stack, into the
// lane pairs of dot_q15.h, then every output channel two at a time
// (DotPairRows, int32 sums: short enough not to overflow). Larger windows
// and an odd last pixel: per pixel, the in-bounds input runs, four output
// channels at a time (Dot4Int16).
void Conv2DInt16(const reference::Window2D& w, int32_t groups,
                 const reference::PerChannelParams& params, const int16_t* input,
                 const int8_t* filter, const int64_t* bias, int16_t* output,
                 std::span<uint8_t> scratch);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_CONV_INT16_H_
