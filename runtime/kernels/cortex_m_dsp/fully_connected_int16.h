// FullyConnected with int16 activations for cores with the DSP extension:
// same signature and bit-identical results as
// reference::FullyConnectedInt16 (kernels/reference/fully_connected.h).
#ifndef MOTE_KERNELS_CORTEX_M_DSP_FULLY_CONNECTED_INT16_H_
#define MOTE_KERNELS_CORTEX_M_DSP_FULLY_CONNECTED_INT16_H_

#include <stdint.h>

#include "kernels/reference/fully_connected.h"

namespace mote::cortex_m_dsp {

// Plain rows (the loader refuses interleaved int16 weights; the reference
// reads plain rows whatever the flag says), four units at a time with the
// input's pairs shared (dot_int16.h), any depth, no scratch.
void FullyConnectedInt16(const reference::FullyConnectedShape& shape,
                         const reference::QuantizedFcParams& params, const int16_t* input,
                         const int8_t* weights, const int64_t* bias, int16_t* output,
                         std::span<uint8_t> scratch);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_FULLY_CONNECTED_INT16_H_
