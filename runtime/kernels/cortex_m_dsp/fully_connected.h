// FullyConnected for cores with the DSP extension (M4, M7, M33, M55): same
// signature and bit-identical results as kernels/reference/fully_connected.h.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_FULLY_CONNECTED_H_
#define MOTE_KERNELS_CORTEX_M_DSP_FULLY_CONNECTED_H_

#include <stdint.h>

#include "kernels/reference/fully_connected.h"

namespace mote::cortex_m_dsp {

using reference::FullyConnectedShape;
using reference::QuantizedFcParams;

// Four output units at a time, SMLAD over SXTB16-unpacked int8 pairs.
void FullyConnectedInt8(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_FULLY_CONNECTED_H_
