// Add for cores with the DSP extension (M4, M7, M33, M55): same signature
// and bit-identical results as kernels/reference/add.h.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_ADD_H_
#define MOTE_KERNELS_CORTEX_M_DSP_ADD_H_

#include <stdint.h>

#include "kernels/reference/add.h"

namespace mote::cortex_m_dsp {

using reference::Broadcast;
using reference::QuantizedAddParams;

// Each element costs three SMMLARs at most (kernels/cortex_m_dsp/
// elementwise_rescale.h: an input whose real multiplier makes its rescale
// exact costs one MLA instead); a broadcast single element is rescaled once
// per run. Parameters outside that form (see PlanAdd) run the reference.
void AddInt8(const Broadcast& b, const QuantizedAddParams& p, const int8_t* in1, const int8_t* in2,
             int8_t* out);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_ADD_H_
