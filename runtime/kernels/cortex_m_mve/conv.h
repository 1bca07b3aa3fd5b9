// Conv2D for the Cortex-M55 with integer Helium (MVE): same signature and
// bit-identical results as kernels/reference/conv.h.
#ifndef MOTE_KERNELS_CORTEX_M_MVE_CONV_H_
#define MOTE_KERNELS_CORTEX_M_MVE_CONV_H_

#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::cortex_m_mve {

using reference::PerChannelParams;
using reference::Window2D;

// groups == 1: a 1x1 stride-1 unpadded conv is one matrix product over all
// pixels, straight from the input; other windows of up to
// kernel_scratch::kMveMaxPatchDepth values take two output pixels at a time,
// each window read in place when it is one contiguous run of the input, else
// gathered into the op's arena scratch with the zero point in the padding
// (channel_outputs.h does the products). Grouped convs, larger windows and
// calls with too little scratch run the DSP kernel. params.effective_bias,
// when given, replaces the per-call sums of the weights.
void Conv2DInt8(const Window2D& w, int32_t groups, const PerChannelParams& params,
                const int8_t* input, const int8_t* filter, const int32_t* bias, int8_t* output,
                std::span<uint8_t> scratch);

}  // namespace mote::cortex_m_mve

#endif  // MOTE_KERNELS_CORTEX_M_MVE_CONV_H_
