// The quantized Rnn (simple RNN, GRU, LSTM cells) on the DSP extension: the
// reference's results (kernels/reference/rnn.h), byte for byte. The cell
// arithmetic is the reference's, step for step; only the gate rows' dot
// products differ: int8 weights unpacked by SXTB16 and multiplied with the
// input (plus its offset, SXTAB16) or the int16 state in pairs by SMLALD into
// a 64-bit sum, exact like the reference's int64 one.
#ifndef MOTE_KERNELS_CORTEX_M_DSP_RNN_H_
#define MOTE_KERNELS_CORTEX_M_DSP_RNN_H_

#include <stdint.h>

#include "kernels/reference/rnn.h"

namespace mote::cortex_m_dsp {

template <typename T>
void RnnQuantized(const reference::RnnShape& s, const reference::RnnQuantParams& q, const T* x,
                  const int8_t* w, const int8_t* r, const int64_t* b, const T* h0, const T* c0,
                  T* y, T* y_h, int16_t* work);

}  // namespace mote::cortex_m_dsp

#endif  // MOTE_KERNELS_CORTEX_M_DSP_RNN_H_
