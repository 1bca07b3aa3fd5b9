// FullyConnected for the Cortex-M55 with integer Helium (MVE): same
// signature and bit-identical results as kernels/reference/fully_connected.h.
#ifndef MOTE_KERNELS_CORTEX_M_MVE_FULLY_CONNECTED_H_
#define MOTE_KERNELS_CORTEX_M_MVE_FULLY_CONNECTED_H_

#include <stdint.h>

#include "kernels/reference/fully_connected.h"

namespace mote::cortex_m_mve {

using reference::FullyConnectedShape;
using reference::QuantizedFcParams;

// Batches two at a time, 16 MACs per VMLADAVA, each unit's input offset
// folded into its bias from its weights' sum; little stack
// (channel_outputs.h: SmallStackOutputs). Interleaved rows (RowOf, which
// modelc writes for single-batch FCs): VLD4 gives each row's 16 values.
void FullyConnectedInt8(const FullyConnectedShape& shape, const QuantizedFcParams& params,
                        const int8_t* input, const int8_t* weights, const int32_t* bias,
                        int8_t* output, std::span<uint8_t> scratch);

}  // namespace mote::cortex_m_mve

#endif  // MOTE_KERNELS_CORTEX_M_MVE_FULLY_CONNECTED_H_
