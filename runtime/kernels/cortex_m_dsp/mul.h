// Mul for cores with the DSP extension (M4, M7, M33, M55): same signature
// and bit-identical results as kernels/reference/mul.h.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_MUL_H_
#define MOTE_KERNELS_CORTEX_M_DSP_MUL_H_

#include <stdint.h>

#include "kernels/reference/mul.h"

namespace mote::cortex_m_dsp {

using reference::Broadcast;
using reference::QuantizedMulParams;

// One SMMLAR per element (kernels/cortex_m_dsp/elementwise_rescale.h);
// output shifts >= 0 run the reference.
void MulInt8(const Broadcast& b, const QuantizedMulParams& p, const int8_t* in1, const int8_t* in2,
             int8_t* out);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_MUL_H_
