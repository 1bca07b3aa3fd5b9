// AveragePool2D and MaxPool2D for cores with the DSP extension (M4, M7,
// M33, M55): same signatures and bit-identical results as
// kernels/reference/pooling.h.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_POOLING_H_
#define MOTE_KERNELS_CORTEX_M_DSP_POOLING_H_

#include <stdint.h>

#include "kernels/reference/window.h"

namespace mote::cortex_m_dsp {

using reference::Window2D;

// Four channels per word: the average sums them in int16 lanes (SXTAB16)
// when the window holds at most 256 valid positions, so no lane can
// overflow; the max keeps them in int8 lanes (SSUB8 + SEL). Leftover
// channels, and larger windows of the average, are summed one at a time.
void AveragePoolInt8(const Window2D& w, int32_t activation_min, int32_t activation_max,
                     const int8_t* input, int8_t* output);
void MaxPoolInt8(const Window2D& w, int32_t activation_min, int32_t activation_max,
                 const int8_t* input, int8_t* output);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_POOLING_H_
