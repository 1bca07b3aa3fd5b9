// FullyConnected for cores with the DSP extension (M4, M7, M33, M55): same
// signature and bit-identical results as kernels/reference/fully_connected.h.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_FULLY_CONNECTED_H_
#define MOTE_KERNELS_CORTEX_M_DSP_FULLY_CONNECTED_H_

#include <stdint.h>

#include "kernels/reference/fully_connected.h"

namespace mote::cortex_m_dsp {

using reference::FullyConnectedShape;
using reference::QuantizedFcParams;

// Accumulators under 2^30 (else the reference): batches in pairs, each
// pair's inputs widened to int16 once and multiplied two units at a time;
// an odd last batch four units at a time from the int8 input
// (channel_outputs.h).
void FullyConnectedInt8(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output, std::span<uint8_t> scratch);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_FULLY_CONNECTED_H_
